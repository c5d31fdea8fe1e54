/**
 * Opening a database file. A bad file (not SQLite, corrupt, truncated, another program's database, read-only) is
 * refused with a StorageError naming it, before anything is written to it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { errorMessage, StorageError, TuneError } from '../core/errors.js';
import { checkNotNewer, LATEST_VERSION, migrate, schemaVersion } from './migrations.js';

/**
 * The file given as storage is not a tune database at all: a text file, a folder, a truncated or damaged file, or
 * another program's SQLite database. That is bad input, like a bad space file, so the CLI exits 2.
 */
export class NotATuneDatabaseError extends StorageError {
  override readonly exitCode = 2;
}

export interface OpenSettings {
  readonly readonly: boolean;
  readonly busyTimeoutMs: number;
}

/**
 * Opens `file` (or ':memory:'), checks it, and for writing switches it to WAL and migrates it.
 *
 * Every open first compares the header's page count with the file's length (a truncated file), then reads the
 * schema and schema_version: that catches a file that isn't SQLite, a damaged header or first page, another
 * program's database, and a schema from a newer tune.
 * An open for writing also runs `PRAGMA quick_check` (every page, no index cross-checks) before the first write:
 * a sweep is about to write to the file for hours, and writing into a damaged b-tree spreads the damage. It costs
 * about 2 ms per MB from the page cache (0.46 s for 230 MB: 10 000 trials x 100 epochs x 4 metrics), so read-only
 * opens (top, show, export) skip it; damage they meet later surfaces as the same error when the page is read.
 */
export function openDatabase(file: string, settings: OpenSettings): Database.Database {
  const memory = file === ':memory:';
  let db: Database.Database | undefined;
  try {
    if (!memory && checkFile(file, settings.readonly)) checkLength(file);
    db = new Database(file, { readonly: settings.readonly, fileMustExist: settings.readonly });
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(settings.busyTimeoutMs))}`);
    const version = probe(db, file);
    checkNotNewer(file, version);
    if (settings.readonly) {
      checkCurrent(file, version);
    } else {
      if (!memory) quickCheck(db, file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL'); // safe under WAL: a crash may lose the last commits, never corrupt
      migrate(db, undefined, file);
    }
    db.pragma('foreign_keys = ON'); // a connection setting: writes nothing
    return db;
  } catch (e) {
    db?.close();
    throw openFailure(file, e, settings.readonly);
  }
}

/** The StorageError for a SQLite error that says the file itself is unusable; null for any other error. */
export function fileFailure(file: string, e: unknown, atOpen = false): StorageError | null {
  if (!(e instanceof Database.SqliteError)) return null;
  if (/^SQLITE_(NOTADB|CORRUPT)/.test(e.code)) {
    // Found while opening, the file was never a usable database (bad input); found mid-sweep, it broke while in use.
    return new (atOpen ? NotATuneDatabaseError : StorageError)(`${file}: not a readable tune database (${e.message})`, { cause: e });
  }
  if (e.code.startsWith('SQLITE_READONLY')) return new StorageError(`${file}: read-only (${e.message})`, { cause: e });
  return null;
}

function openFailure(file: string, e: unknown, readonly: boolean): TuneError {
  if (e instanceof TuneError) return e;
  // Even to read, SQLite needs a WAL database's -wal and -shm next to it, and can't create them in a read-only folder.
  if (readonly && e instanceof Database.SqliteError && /^SQLITE_READONLY_(DIRECTORY|CANTINIT)$/.test(e.code)) {
    return new StorageError(
      `${file}: can't be read where it is (${e.message}): SQLite needs to create its -wal and -shm files ` +
        'in that folder. Copy the file to a writable folder.',
      { cause: e },
    );
  }
  return fileFailure(file, e, true) ?? new StorageError(`cannot open the database ${file}: ${errorMessage(e)}`, { cause: e });
}

/**
 * Before SQLite touches the file: it must exist to be read, and be writable (with its folder) to be written.
 * Returns whether it exists.
 */
function checkFile(file: string, readonly: boolean): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) throw new NotATuneDatabaseError(`${file}: a folder, not a database file`);
  if (readonly) {
    if (!stat) throw new StorageError(`${file}: no such database file`);
    return true;
  }
  const dir = path.dirname(path.resolve(file));
  if (stat) {
    mustWrite(file, file, 'no write permission on the file');
  } else {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new StorageError(`cannot create the folder of ${file}: ${errorMessage(e)}`, { cause: e });
    }
  }
  // WAL mode creates <file>-wal and <file>-shm beside the file.
  mustWrite(file, dir, `its folder ${dir} is not writable, and SQLite creates its -wal and -shm files there`);
  return stat !== undefined;
}

// access(2) tells a read-only mount (EROFS) even to root, who otherwise passes every permission check.
function mustWrite(file: string, target: string, why: string): void {
  try {
    fs.accessSync(target, fs.constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new StorageError(`${file}: read-only (${why}: ${code})`, { cause: e });
  }
}

/** Forces a read of the header and schema; returns the schema version (0 for an empty database). */
function probe(db: Database.Database, file: string): number {
  const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck().all();
  if (tables.length > 0 && !tables.includes('schema_version')) {
    const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
    throw new NotATuneDatabaseError(
      `${file}: not a tune database (a SQLite database without tune's schema_version table; its tables: ${shown})`,
    );
  }
  return schemaVersion(db);
}

/**
 * SQLite's own truncation check (lockBtree in btree.c: the header's page count against the file's length), made
 * before SQLite opens a WAL database's -wal and -shm, which a read-only connection would leave behind.
 * Without a -wal (or hot -journal) file the database is exactly this file; with one, the file may lack pages.
 */
function checkLength(file: string): void {
  const header = Buffer.alloc(100);
  const fd = fs.openSync(file, 'r');
  let read: number;
  let size: number;
  try {
    read = fs.readSync(fd, header, 0, 100, 0);
    size = fs.fstatSync(fd).size;
  } finally {
    fs.closeSync(fd);
  }
  if (read < 16 || header.toString('latin1', 0, 16) !== 'SQLite format 3\0') return; // SQLite says what it is
  const malformed = (why: string): never => {
    throw new NotATuneDatabaseError(`${file}: not a readable tune database (database disk image is malformed: ${why})`);
  };
  if (read < 100) malformed(`truncated to ${size} bytes, inside its header`);
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  // The page count is only valid when the change counter matches its version-valid-for copy.
  const pages = header.readUInt32BE(24) === header.readUInt32BE(92) ? header.readUInt32BE(28) : 0;
  const sideFile = fs.existsSync(`${file}-wal`) || fs.existsSync(`${file}-journal`);
  if (pages > 0 && pages * pageSize > size && !sideFile) {
    malformed(`truncated to ${size} bytes, but its header says ${pages} pages of ${pageSize} bytes`);
  }
}

function quickCheck(db: Database.Database, file: string): void {
  const problems = db.prepare<[], string>('PRAGMA quick_check(3)').pluck().all();
  if (problems.length !== 1 || problems[0] !== 'ok') {
    const text = problems.join('\n').replace('*** in database main ***\n', '').split('\n').join('; ');
    throw new NotATuneDatabaseError(`${file}: not a readable tune database (quick_check: ${text})`);
  }
}

/** Read-only opens run no migrations, so the file must already have this tune's schema. */
function checkCurrent(file: string, version: number): void {
  if (version === 0) throw new StorageError(`${file}: not a tune database yet (it is empty): run a sweep on it first`);
  if (version < LATEST_VERSION) {
    throw new StorageError(
      `${file} has schema version ${version}, but this version of tune reads version ${LATEST_VERSION}. ` +
        'Run a sweep on it with this version of tune first (that upgrades the file in place), then read it again.',
    );
  }
}

