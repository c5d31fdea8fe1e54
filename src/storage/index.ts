export { SqliteStorage, type SqliteDiagnostics, type SqliteStorageOptions } from './sqlite.js';
export { NotATuneDatabaseError } from './open.js';
export { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';
export type { Fence, NewTrial, OpenOptions, RequeueOptions, Storage, StudyChanges, StudySummary, TrialFilter } from './types.js';

import { SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
import type { Storage } from './types.js';

/**
 * Opens the storage at `path`: a SQLite file (created with its folders if missing) or ':memory:'.
 * Synchronous because SQLite opens synchronously; throws StorageError if the file can't be used (see
 * `SqliteStorage.open`). With `{ readonly: true }` nothing is written and every write method throws.
 */
export function openStorage(path: string, options?: SqliteStorageOptions): Storage {
  return SqliteStorage.open(path, options);
}
