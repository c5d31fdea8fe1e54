export { PostgresStorage, type PostgresStorageOptions } from './storage.js';
export { PostgresConnectError } from './connection.js';
export { PG_LATEST_VERSION, PG_MIGRATIONS, type PgMigration } from './migrations.js';
export { checkStorageScheme, hasUrlScheme, isPostgresUrl, parsePostgresUrl, POSTGRES_SCHEMES, redactSecrets, redactUrl } from './url.js';
