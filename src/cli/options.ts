import { normalize } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_STORAGE } from '../engine/index.js';
import { hasUrlScheme } from '../storage/index.js';

/** `--storage`, shared by every command that reads or writes a database. */
export function withStorage<T>(y: Argv<T>) {
  return y.option('storage', {
    type: 'string',
    default: DEFAULT_STORAGE,
    describe: 'Where the studies are: a SQLite file, or a PostgreSQL server (postgres://user@host:5432/db; the password from the URL, PGPASSWORD or ~/.pgpass)',
    // A path is normalised; a URL is kept as written (normalising would fold its "//"). Other schemes exit 2.
    coerce: (v: string) => (hasUrlScheme(v) ? v : normalize(v)),
  });
}

/** `--study`, for commands that read one study. */
export function withStudy<T>(y: Argv<T>) {
  return y.option('study', { type: 'string', demandOption: true, describe: 'Study name (the space file\'s "name")' });
}
