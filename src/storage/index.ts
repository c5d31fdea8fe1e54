export { SqliteStorage, type SqliteDiagnostics, type SqliteStorageOptions } from './sqlite.js';
export { NotATuneDatabaseError } from './open.js';
export { LATEST_VERSION, MIGRATIONS, type Migration } from './migrations.js';
export type { Fence, NewTrial, OpenOptions, RequeueOptions, Storage, StudyChanges, StudySummary, TrialFilter } from './types.js';
export {
  checkStorageScheme, hasUrlScheme, isPostgresUrl, PostgresConnectError, PostgresStorage, POSTGRES_SCHEMES, redactSecrets, redactUrl,
  type PostgresStorageOptions,
} from './postgres/index.js';

import { PostgresStorage, type PostgresStorageOptions } from './postgres/storage.js';
import { checkStorageScheme, isPostgresUrl } from './postgres/url.js';
import { SqliteStorage, type SqliteStorageOptions } from './sqlite.js';
import type { Storage } from './types.js';

/**
 * Opens the storage at `path`: a PostgreSQL server for a `postgres://` or `postgresql://` URL, else a SQLite file
 * (created with its folders if missing) or ':memory:'. Any other `scheme://` throws UsageError (exit 2).
 * Synchronous: SQLite opens (and checks the file) here and throws StorageError if it can't be used (see
 * `SqliteStorage.open`); PostgreSQL parses the URL here and connects on the first call, which throws
 * PostgresConnectError (exit 2) naming the host, never the password. With `{ readonly: true }` nothing is written
 * and every write method throws.
 */
export function openStorage(path: string, options?: SqliteStorageOptions & PostgresStorageOptions): Storage {
  if (isPostgresUrl(path)) return PostgresStorage.open(path, options);
  checkStorageScheme(path);
  return SqliteStorage.open(path, options);
}
export { storageMissing } from './where.js';
export { copyStudy, CopyClock } from './copy.js';
