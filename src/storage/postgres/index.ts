export { PostgresStorage, type PostgresStorageOptions } from './storage.js';
export { PostgresConnectError } from './connection.js';
export { PG_LATEST_VERSION, PG_MIGRATIONS, type PgMigration } from './migrations.js';
export { checkStorageScheme, isPostgresUrl, parsePostgresUrl, POSTGRES_SCHEMES, redactUrl } from './url.js';
