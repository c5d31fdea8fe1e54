/** Shared helpers of the SQLite-only tests: temporary files, raw connections, file fingerprints. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import Database from 'better-sqlite3';

/** A fresh temporary folder for this test file, removed when it ends; `file()` names a new db in its own folder. */
export function tmpFiles(prefix: string): { readonly dir: string; file(): string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return { dir, file: () => path.join(dir, `t${n++}`, 'tune.db') };
}

/** Runs `fn` on a raw connection to `file`, outside SqliteStorage, to inspect or tamper with it. */
export function raw<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = new Database(file);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The file's sha256 and the SQLite side files next to it, to show that an open changed nothing. */
export function fingerprint(file: string): { readonly sha256: string; readonly sideFiles: readonly string[] } {
  return {
    sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'),
    sideFiles: ['-wal', '-shm', '-journal'].filter((s) => fs.existsSync(file + s)),
  };
}
