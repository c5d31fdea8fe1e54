/**
 * PostgreSQL for the tests: each test file gets its own database (created from TUNE_TEST_POSTGRES_URL, dropped when
 * the file ends) and each storage in it a fresh schema, so the contract's "fresh, empty storage" costs one
 * CREATE SCHEMA, not one CREATE DATABASE. Without the variable the caller skips with `PG_SKIP_REASON`.
 */
import { randomBytes } from 'node:crypto';
import { after } from 'node:test';
import pg from 'pg';

export const PG_URL = process.env.TUNE_TEST_POSTGRES_URL;
export const PG_SKIP_REASON =
  'TUNE_TEST_POSTGRES_URL is not set: these tests need a PostgreSQL server (scripts/ci/postgres.sh start prints one; .ci/run sets it)';

/** `url` with its database (path) replaced, and extra query parameters. */
export function withDatabase(url: string, database: string, query: Record<string, string> = {}): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  for (const [k, v] of Object.entries(query)) u.searchParams.set(k, v);
  return u.toString();
}

export interface TestDatabase {
  /** The database's URL (with the test server's password). */
  readonly url: string;
  readonly name: string;
  /** A URL on a new, empty schema of this database (`?options=-c search_path=…`). */
  freshSchema(): Promise<string>;
  /** Runs SQL on the database as the test role. */
  query<R extends pg.QueryResultRow>(sql: string, args?: unknown[]): Promise<R[]>;
}

/** Creates a uniquely named database for this test file, dropped (WITH FORCE) when the file's tests end. */
export async function testDatabase(baseUrl: string, prefix = 'tune_test'): Promise<TestDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = withDatabase(baseUrl, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  after(async () => {
    await client.end();
    const dropper = new pg.Client({ connectionString: baseUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await dropper.end();
  });
  let n = 0;
  return {
    url,
    name,
    async freshSchema() {
      const schema = `s${n++}`;
      await client.query(`CREATE SCHEMA ${schema}`);
      return withDatabase(baseUrl, name, { options: `-c search_path=${schema}` });
    },
    async query<R extends pg.QueryResultRow>(sql: string, args: unknown[] = []) {
      return (await client.query<R>(sql, args)).rows;
    },
  };
}
