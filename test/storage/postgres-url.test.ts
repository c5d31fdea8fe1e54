/** PostgreSQL URLs without a server: schemes, parsing, the password's sources (URL, PGPASSWORD, ~/.pgpass), redaction. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../src/core/errors.js';
import { checkStorageScheme, isPostgresUrl, openStorage, redactSecrets, redactUrl } from '../../src/storage/index.js';
import { parsePostgresUrl, passwordFor } from '../../src/storage/postgres/url.js';
import { PostgresConnectError } from '../../src/storage/postgres/connection.js';
import { checkPgServerVersion } from '../../src/storage/postgres/migrations.js';

test('postgres:// and postgresql:// select PostgreSQL; other schemes are refused; paths stay SQLite', () => {
  assert.equal(isPostgresUrl('postgres://u@h/db'), true);
  assert.equal(isPostgresUrl('PostgreSQL://u@h/db'), true);
  assert.equal(isPostgresUrl('results/tune.db'), false);
  assert.equal(isPostgresUrl('C:\\runs\\tune.db'), false);
  checkStorageScheme('results/tune.db');
  checkStorageScheme(':memory:');
  assert.throws(() => checkStorageScheme('mysql://root:pw@h/db'), (e: unknown) => {
    assert.ok(e instanceof UsageError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /"mysql:\/\/".*postgres:\/\/ and postgresql:\/\//);
    assert.doesNotMatch(e.message, /:pw@/);
    return true;
  });
  assert.throws(() => openStorage('sqlite://x.db'), UsageError);
});

test('the password never shows: redactUrl and redactSecrets', () => {
  assert.equal(redactUrl('postgres://tune:s3cr%40t@db.lab:5432/tune'), 'postgres://tune:***@db.lab:5432/tune');
  assert.equal(redactUrl('postgres://tune@db.lab/tune'), 'postgres://tune@db.lab/tune');
  assert.equal(redactUrl('postgres://db.lab/tune?password=hunter2&x=1'), 'postgres://db.lab/tune?password=***&x=1');
  assert.equal(
    redactSecrets('cannot open postgres://a:b@h/d and postgresql://c:d@h2/e: failed'),
    'cannot open postgres://a:***@h/d and postgresql://c:***@h2/e: failed',
  );
});

test('URLs parse to host, port, user, database; bad ones are UsageErrors without the password', () => {
  const t = parsePostgresUrl('postgres://lab%20user:p%3Aw@db.lab:6543/sweeps?application_name=x', {});
  assert.deepEqual([t.host, t.port, t.user, t.database, t.password, t.applicationName], ['db.lab', 6543, 'lab user', 'sweeps', 'p:w', 'x']);
  const socket = parsePostgresUrl('postgres://tune@/tune?host=/var/run/postgresql', {});
  assert.equal(socket.host, '/var/run/postgresql');
  const defaults = parsePostgresUrl('postgres:///', { PGUSER: 'me', PGHOST: 'h', PGPORT: '7777' });
  assert.deepEqual([defaults.host, defaults.port, defaults.user, defaults.database], ['h', 7777, 'me', 'me']);
  for (const bad of ['postgres://u:pw@h:99999/db', 'postgres://u:pw@h/db?sslmod=require', 'postgres://u:pw@h/db?connect_timeout=-1']) {
    assert.throws(() => parsePostgresUrl(bad, {}), (e: unknown) => e instanceof UsageError && !e.message.includes(':pw@') && e.exitCode === 2);
  }
});

test('the password comes from the URL, else PGPASSWORD, else a 0600 ~/.pgpass line that matches', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tune-pgpass-'));
  try {
    const file = path.join(dir, 'pgpass');
    fs.writeFileSync(file, '# comment\nother:5432:*:tune:nope\ndb.lab:5432:*:tune:from\\:file\n*:*:*:*:fallback\n', { mode: 0o600 });
    const target = parsePostgresUrl('postgres://tune@db.lab:5432/tune', {});
    assert.equal(passwordFor(parsePostgresUrl('postgres://tune:inurl@db.lab/tune', {}), { PGPASSWORD: 'env', PGPASSFILE: file }), 'inurl');
    assert.equal(passwordFor(target, { PGPASSWORD: 'env', PGPASSFILE: file }), 'env');
    assert.equal(passwordFor(target, { PGPASSFILE: file }), 'from:file');
    assert.equal(passwordFor(parsePostgresUrl('postgres://x@elsewhere/db', {}), { PGPASSFILE: file }), 'fallback');
    fs.chmodSync(file, 0o644); // readable by others: ignored, as libpq does
    assert.equal(passwordFor(target, { PGPASSFILE: file }), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a server older than PostgreSQL 13 is refused with exit 2, naming its version', () => {
  for (const [num, shown] of [[120017, '12'], [90624, '9.6']] as const) {
    assert.throws(() => checkPgServerVersion('postgres://tune:***@db.lab/tune', num), (e: unknown) => {
      assert.ok(e instanceof PostgresConnectError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, `postgres://tune:***@db.lab/tune: the server is PostgreSQL ${shown}; tune needs PostgreSQL 13 or newer`);
      return true;
    });
  }
  assert.throws(() => checkPgServerVersion('x', Number.NaN), PostgresConnectError);
  for (const ok of [130000, 150018, 170002]) checkPgServerVersion('x', ok);
});
