/** Opening files that aren't fit to use, read-only opens, and migrating old files in place. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { StorageError } from '../../src/core/errors.js';
import { LATEST_VERSION, MIGRATIONS, migrate } from '../../src/storage/migrations.js';
import { fileFailure } from '../../src/storage/open.js';
import { openStorage, SqliteStorage, type Storage } from '../../src/storage/index.js';
import { newTrial, reportEpochs, spec } from './helpers.js';
import { portableChild } from './portable-child.js';
import { fingerprint, raw, tmpFiles } from './sqlite-helpers.js';

const { dir: tmp, file: tmpFile } = tmpFiles('tune-files-');

/** A closed tune database (WAL checkpointed away) with 60 finished trials of 10 epochs: a few dozen pages. */
async function tuneFile(): Promise<string> {
  const file = tmpFile();
  const s = SqliteStorage.open(file);
  const st = await s.openStudy(spec());
  for (let i = 0; i < 60; i++) {
    const t = await s.createTrial(st.id, newTrial({ seed: i }));
    await s.claimTrial(t.id, 'w');
    await reportEpochs(s, t.id, Array.from({ length: 10 }, (_, e) => (i + e) / 100));
    await s.finishTrial(t.id, { state: 'complete', epochs: 10 });
  }
  await s.close();
  return file;
}

/** A file with these bytes, in a folder of its own. */
function fileWith(bytes: string | Buffer): string {
  const file = tmpFile();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, bytes);
  return file;
}

/** Opening `file` for writing, then read-only, fails with `message` each time, and leaves the file as it was. */
function refusedUnchanged(file: string, message: RegExp, modes: readonly ('write' | 'readonly')[] = ['write', 'readonly']): void {
  const before = fingerprint(file);
  for (const mode of modes) {
    assert.throws(() => SqliteStorage.open(file, { readonly: mode === 'readonly' }), (e: unknown) => {
      assert.ok(e instanceof StorageError, String(e));
      assert.ok(e.message.startsWith(file), e.message);
      assert.match(e.message, message);
      return true;
    }, mode);
    assert.deepEqual(fingerprint(file), before, mode);
  }
}

const notReadable = (reason: string): RegExp => new RegExp(`: not a readable tune database \\(${reason}\\)$`);

describe('SqliteStorage refuses files it cannot use, at open, leaving them unchanged', () => {
  test('a text file, an empty-looking header, or random bytes: not a database', () => {
    refusedUnchanged(fileWith('this is not sqlite, just text\n'.repeat(50)), notReadable('file is not a database'));
    refusedUnchanged(fileWith('hello\n'), notReadable('file is not a database'));
    refusedUnchanged(fileWith(Buffer.alloc(8192, 0x5a)), notReadable('file is not a database'));
  });

  test('a truncated file: cut mid-way, inside the first page, or inside the header', async () => {
    const whole = await tuneFile();
    const size = fs.statSync(whole).size;
    assert.ok(size >= 20 * 4096, `only ${size} bytes`);
    for (const keep of [Math.floor(size / 2), 4096 * 3 + 100, 2000, 50]) {
      const file = fileWith(fs.readFileSync(whole).subarray(0, keep));
      refusedUnchanged(file, notReadable(`database disk image is malformed: truncated to ${keep} bytes.*`));
    }
  });

  test('a damaged page in the middle: quick_check refuses it for writing; read-only opens find it when they read it', async () => {
    const file = await tuneFile();
    // an index page, which quick_check reports on (on some table pages it gives up with SQLite's error instead)
    const page = raw(file, (db) => db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'trials_study_value'").pluck().get());
    assert.equal(typeof page, 'number');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xab), 0, 4096, (Number(page) - 1) * 4096);
    fs.closeSync(fd);
    refusedUnchanged(file, notReadable(`quick_check: Tree ${page} page ${page}: btreeInitPage\\(\\) returns error code 11; .*trials_study_value.*`), ['write']);

    // read-only opens skip that scan of every page: the damage shows once a read reaches it
    const before = fingerprint(file).sha256;
    const s = SqliteStorage.open(file, { readonly: true });
    try {
      const integrity = (() => {
        try {
          return s.diagnostics().integrity;
        } catch (e) {
          assert.match(String(e), notReadable('database disk image is malformed'));
          return [];
        }
      })();
      assert.notDeepEqual(integrity, ['ok']);
    } finally {
      await s.close();
    }
    assert.equal(fingerprint(file).sha256, before);
  });

  test('a SQLite database of another program: not a tune database, its tables named', () => {
    const file = fileWith('');
    raw(file, (db) => db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY); CREATE TABLE customers (id)'));
    refusedUnchanged(file, /: not a tune database \(a SQLite database without tune's schema_version table; its tables: customers, invoices\)$/);
  });

  test('a folder where the file should be', () => {
    const file = tmpFile();
    fs.mkdirSync(file, { recursive: true });
    assert.throws(() => SqliteStorage.open(file), /a folder, not a database file/);
    assert.throws(() => SqliteStorage.open(file, { readonly: true }), /a folder, not a database file/);
  });

  test('a read-only file or folder is refused for writing, unchanged, and a read-only open of the file works', async () => {
    // Root passes every permission check, so as root the opens run in a child process as nobody.
    const asRoot = process.getuid?.() === 0;
    const ids = asRoot ? { uid: 65534, gid: 65534 } : {};
    // nobody may not be able to read the checkout (a clone under /root), so the child runs from a transpiled copy.
    fs.chmodSync(tmp, 0o755);
    const child = path.join(tmp, 'child');
    const fixture = portableChild(fileURLToPath(new URL('./fixtures/open-storage.ts', import.meta.url)), child);
    const open = async (file: string, mode: 'write' | 'readonly') => {
      const { stdout } = await promisify(execFile)(process.execPath, [fixture, file, mode], {
        cwd: child, ...ids, env: { ...process.env, HOME: tmp },
      });
      return JSON.parse(stdout) as { ok: boolean; name?: string; message?: string; studies?: number };
    };
    const file = await tuneFile();
    const folder = path.dirname(file);

    fs.chmodSync(file, 0o444);
    fs.chmodSync(folder, 0o777);
    const before = fingerprint(file);
    assert.deepEqual(await open(file, 'write'), {
      ok: false, name: 'StorageError', message: `${file}: read-only (no write permission on the file: EACCES)`,
    });
    assert.deepEqual(fingerprint(file), before);
    assert.deepEqual(await open(file, 'readonly'), { ok: true, studies: 1 });
    assert.equal(fingerprint(file).sha256, before.sha256);
    for (const side of ['-wal', '-shm']) fs.rmSync(file + side, { force: true });

    fs.chmodSync(file, 0o666);
    fs.chmodSync(folder, 0o555);
    try {
      const result = await open(file, 'write');
      assert.equal(result.ok, false);
      assert.match(result.message ?? '', new RegExp(`^${file}: read-only \\(its folder .* is not writable.*: EACCES\\)$`));
      // SQLite can't create a WAL file's -wal and -shm in a read-only folder, so reading needs a copy
      assert.match((await open(file, 'readonly')).message ?? '', /can't be read where it is .*Copy the file to a writable folder/);
      assert.deepEqual(fingerprint(file), before);
    } finally {
      fs.chmodSync(folder, 0o755);
    }
  });

  test('SQLITE_READONLY from a write on a read-only connection maps to "<path>: read-only (…)"', () => {
    const file = fileWith('');
    raw(file, (db) => db.exec('CREATE TABLE x (a)'));
    const db = new Database(file, { readonly: true });
    try {
      const error: unknown = (() => {
        try {
          db.exec('INSERT INTO x VALUES (1)');
        } catch (e) {
          return e;
        }
        return null;
      })();
      assert.equal(fileFailure(file, error)?.message, `${file}: read-only (attempt to write a readonly database)`);
      assert.equal(fileFailure(file, new Error('other')), null);
    } finally {
      db.close();
    }
  });
});

describe('SqliteStorage opened read-only', () => {
  test('reads everything, refuses every write with "opened read-only", and leaves the file as it was', async () => {
    const file = await tuneFile();
    const before = fingerprint(file).sha256;
    const s = openStorage(file, { readonly: true });
    try {
      const st = await s.getStudy('adam');
      assert.ok(st);
      assert.equal((await s.trials(st.id)).length, 60);
      assert.equal((await s.leaderboard(st.id, 3)).length, 3);
      assert.equal((await s.reports(1)).length, 10);
      assert.deepEqual((await s.studies()).map((x) => x.counts.complete), [60]);
      assert.equal((s as SqliteStorage).diagnostics().integrity[0], 'ok');
      const writes: [string, (x: Storage) => Promise<unknown>][] = [
        ['openStudy', (x) => x.openStudy(spec())],
        ['setStudyBackend', (x) => x.setStudyBackend(st.id, 'cpu')],
        ['createTrial', (x) => x.createTrial(st.id, newTrial())],
        ['claimTrial', (x) => x.claimTrial(1, 'w')],
        ['report', (x) => x.report(1, 11, { a: 1 }, 1)],
        ['finishTrial', (x) => x.finishTrial(1, { state: 'failed', epochs: 0 })],
        ['promoteTrial', (x) => x.promoteTrial(1, 20, 1)],
        ['requeueTrial', (x) => x.requeueTrial(1, { countAttempt: true })],
        ['heartbeat', (x) => x.heartbeat([1], 'w')],
        ['setStudyDefinition', (x) => x.setStudyDefinition(st.id, {})],
        ['renameStudy', (x) => x.renameStudy(st.id, 'b')],
      ];
      for (const [what, write] of writes) {
        await assert.rejects(write(s), (e: unknown) => {
          assert.ok(e instanceof StorageError);
          assert.equal(e.message, `${what}: the database ${file} was opened read-only`);
          return true;
        });
      }
    } finally {
      await s.close();
    }
    // SQLite creates a WAL file's -wal and -shm even to read it (its shared lock index), but never writes the file
    assert.equal(fingerprint(file).sha256, before);
  });

  test('reads a WAL database while another connection is writing it', async () => {
    const file = tmpFile();
    const writer = SqliteStorage.open(file);
    const st = await writer.openStudy(spec());
    const t = await writer.createTrial(st.id, newTrial());
    await writer.claimTrial(t.id, 'w');
    await writer.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
    const reader = openStorage(file, { readonly: true });
    try {
      assert.deepEqual(await reader.trial(t.id), await writer.trial(t.id));
      await writer.report(t.id, 2, { val_accuracy: 0.75 }, 0.75);
      await writer.createTrial(st.id, newTrial());
      assert.equal((await reader.trial(t.id))?.value, 0.75);
      assert.equal((await reader.trials(st.id)).length, 2);
      await writer.finishTrial(t.id, { state: 'complete', epochs: 2 });
      assert.equal((await reader.leaderboard(st.id, 1))[0]?.trial.state, 'complete');
    } finally {
      await reader.close();
      await writer.close();
    }
  });

  test('needs the current schema: older asks for a sweep first, newer asks for a newer tune; empty and missing are refused', () => {
    const old = fileWith('');
    raw(old, (db) => migrate(db, MIGRATIONS.slice(0, 1)));
    refusedUnchanged(old, new RegExp(`schema version 1, .*reads version ${LATEST_VERSION}\\. Run a sweep on it with this version of tune first`), ['readonly']);

    const future = fileWith('');
    raw(future, (db) => migrate(db, [...MIGRATIONS, { version: LATEST_VERSION + 1, sql: 'CREATE TABLE future (x)' }]));
    refusedUnchanged(future, /newer tune/);

    refusedUnchanged(fileWith(''), /: not a tune database yet \(it is empty\): run a sweep on it first$/, ['readonly']);
    const missing = path.join(tmp, 'nowhere', 'tune.db');
    assert.throws(() => openStorage(missing, { readonly: true }), new RegExp(`^StorageError: ${missing}: no such database file$`));
    assert.equal(fs.existsSync(path.dirname(missing)), false);
  });
});

describe('migration 2', () => {
  test('a version-1 file with trials migrates in place: attempts 0, no keys, no definition, numbering continues', async () => {
    const file = fileWith('');
    raw(file, (db) => {
      db.pragma('journal_mode = WAL');
      migrate(db, MIGRATIONS.slice(0, 1));
      db.exec(`
        INSERT INTO studies (name, space, direction, metric, strategy, seed, created_at, updated_at)
        VALUES ('adam', '{"lr":{"type":"uniform"}}', 'maximize', 'val_accuracy', 'random', 42, 'then', 'then');
        INSERT INTO trials (study_id, number, state, params, budget, seed, value, value_kind, epochs, worker, created_at)
        VALUES (1, 0, 'complete', '{"lr":0.1}', 3, 7, 0.5, 'finite', 3, 'w', 'then'),
               (1, 1, 'running', '{"lr":0.2}', 3, 8, NULL, NULL, 0, 'w', 'then');
        INSERT INTO reports (trial_id, epoch, metric, value, value_kind) VALUES (1, 3, 'val_accuracy', 0.5, 'finite');`);
    });
    const s = SqliteStorage.open(file);
    try {
      assert.deepEqual(s.diagnostics(), { schemaVersion: LATEST_VERSION, journalMode: 'wal', integrity: ['ok'] });
      const st = await s.getStudy('adam');
      assert.deepEqual([st?.definition, st?.seed], [null, 42]);
      const trials = await s.trials(1);
      assert.deepEqual(trials.map((t) => [t.number, t.state, t.value, t.attempts]), [[0, 'complete', 0.5, 0], [1, 'running', null, 0]]);
      assert.deepEqual((await s.reports(1))[0]?.metrics, { val_accuracy: 0.5 });
      assert.equal((await s.requeueTrial(2, { countAttempt: true })).attempts, 1);
      assert.equal((await s.createTrial(1, newTrial({ key: 'k' }))).number, 2);
      await assert.rejects(s.createTrial(1, newTrial({ key: 'k' })), /key "k"/);
    } finally {
      await s.close();
    }
    raw(file, (db) => {
      assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'trials_study_claim_key'").pluck().get(), 1);
      assert.throws(() => db.prepare("UPDATE studies SET definition = 'not json'").run(), /CHECK/);
      assert.throws(() => db.prepare('UPDATE trials SET attempts = -1').run(), /CHECK/);
    });
  });
});

describe('migration 3 (change sequence)', () => {
  test('a version-2 file with trials migrates in place: old rows are change 1, new writes come after', async () => {
    const file = fileWith('');
    raw(file, (db) => {
      db.pragma('journal_mode = WAL');
      migrate(db, MIGRATIONS.slice(0, 2));
      db.exec(`
        INSERT INTO studies (name, space, direction, metric, strategy, seed, created_at, updated_at)
        VALUES ('adam', '{"lr":{"type":"uniform"}}', 'maximize', 'val_accuracy', 'random', 42, 'then', 'then'),
               ('empty', '{"lr":{"type":"uniform"}}', 'maximize', 'val_accuracy', 'random', 42, 'then', 'then');
        INSERT INTO trials (study_id, number, state, params, budget, seed, value, value_kind, epochs, worker, created_at)
        VALUES (1, 0, 'complete', '{"lr":0.1}', 3, 7, 0.5, 'finite', 3, 'w', 'then');
        INSERT INTO reports (trial_id, epoch, metric, value, value_kind) VALUES (1, 3, 'val_accuracy', 0.5, 'finite');`);
    });
    // Read-only opens never migrate, so they ask for a write first.
    assert.throws(() => SqliteStorage.open(file, { readonly: true }), /schema version 2, .*Run a sweep on it/);
    const s = SqliteStorage.open(file);
    try {
      assert.equal(s.diagnostics().schemaVersion, LATEST_VERSION);
      const old = await s.changesSince(1, 0);
      assert.deepEqual([old.seq, old.trials.map((t) => t.number), old.reports.map((r) => r.epoch)], [1, [0], [3]]);
      assert.equal((await s.changesSince(2, 0)).seq, 0);
      const t = await s.createTrial(1, newTrial({ claimBy: 'w' }));
      const next = await s.changesSince(1, 1);
      assert.ok(next.seq > 1);
      assert.deepEqual(next.trials.map((x) => x.id), [t.id]);
    } finally {
      await s.close();
    }
  });

  test('a read-only reader follows another connection writing the file', async () => {
    const file = tmpFile();
    const writer = SqliteStorage.open(file);
    const st = await writer.openStudy(spec());
    const reader = SqliteStorage.open(file, { readonly: true });
    try {
      const start = await reader.changesSince(st.id, 0);
      const t = await writer.createTrial(st.id, newTrial({ claimBy: 'w' }));
      await writer.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
      const c = await reader.changesSince(st.id, start.seq);
      assert.deepEqual(c.trials.map((x) => [x.id, x.epochs]), [[t.id, 1]]);
      assert.deepEqual(c.reports.map((r) => [r.trialId, r.epoch]), [[t.id, 1]]);
      await assert.rejects(reader.createTrial(st.id, newTrial()), /read-only/);
    } finally {
      await reader.close();
      await writer.close();
    }
  });
});
