/**
 * The CLI on PostgreSQL: bad connections exit 2 naming the host and never the password; read commands work on a
 * server; `tune copy` moves a study SQLite → PostgreSQL → SQLite with every trial, report and timestamp.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { main } from '../../src/cli/program.js';
import { tempDir } from '../helpers/cli.js';
import { seedStudy } from '../helpers/seed-study.js';
import { PG_SKIP_REASON, PG_URL, testDatabase, withDatabase } from '../storage/postgres-helpers.js';

/** The CLI in this process (a child per command would cost seconds each): exit code and what it wrote. */
async function tune(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const [out, err] = [process.stdout.write, process.stderr.write];
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  process.stdout.write = ((chunk: string | Uint8Array) => ((stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += String(chunk)), true)) as typeof process.stderr.write;
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

test('an unsupported storage scheme exits 2 naming the supported ones', async () => {
  for (const args of [['studies'], ['top', '--study', 'x'], ['copy', '--from', 'results/none.db', '--to']]) {
    const r = await tune([...args, ...(args[0] === 'copy' ? [] : ['--storage']), 'mysql://root:hunter2@127.0.0.1/tune']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unsupported storage scheme "mysql:\/\/".*postgres:\/\/ and postgresql:\/\/.*file path/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  }
});

if (PG_URL === undefined) {
  test('the CLI on PostgreSQL', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_cli');
  const base = PG_URL;
  const password = decodeURIComponent(new URL(base).password);
  const host = new URL(base).hostname;

  /** Exit 2, the host named, the password nowhere in the output. */
  const refused = async (args: string[], why: RegExp, env?: Record<string, string>) => {
    const r = await tune(args, env);
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, why);
    if (password !== '') assert.ok(!r.stderr.includes(password) && !r.stdout.includes(password), r.stderr);
    return r;
  };

  describe('tune on a PostgreSQL server', () => {
    test('bad connections exit 2: wrong password, missing database, refused port, unreachable host, bad URL', async () => {
      const wrong = new URL(base);
      wrong.password = `${password}-wrong`;
      await refused(['studies', '--storage', wrong.toString()], new RegExp(`cannot connect to PostgreSQL at ${host}:\\d+.*password authentication failed`));
      const missing = withDatabase(base, 'tune_no_such_db');
      await refused(['top', '--study', 'x', '--storage', missing], /database "tune_no_such_db" does not exist\. Create it first: createdb/);
      await refused(['studies', '--storage', 'postgres://tune:secret-pw@127.0.0.1:1/tune'], /PostgreSQL at 127\.0\.0\.1:1 .*connection refused/);
      // 192.0.2.0/24 is TEST-NET-1: never routed, so the connect times out (1 s here) or fails at once.
      const r = await refused(['studies', '--storage', 'postgres://tune:secret-pw@192.0.2.1:5432/tune'], /PostgreSQL at 192\.0\.2\.1:5432/, { PGCONNECT_TIMEOUT: '1' });
      assert.doesNotMatch(r.stderr, /secret-pw/);
      await refused(['studies', '--storage', 'postgres://tune:secret-pw@127.0.0.1:notaport/tune'], /not a valid PostgreSQL URL|is not a port number/);
    });

    test('read commands work on PostgreSQL, and copy moves a study SQLite → PostgreSQL → SQLite unchanged', async () => {
      const dir = tempDir();
      const file = join(dir, 'tune.db');
      const seeded = await seedStudy(file, { name: 'blobs', trials: 12, strategy: 'asha', seed: 3 });
      await seeded.storage.close();
      const url = await db.freshSchema();

      const copied = await tune(['copy', '--from', file, '--to', url]);
      assert.equal(copied.code, 0, copied.stderr);
      assert.match(copied.stderr, /copied study "blobs" \(\d+ trial\(s\)\)/);
      if (password !== '') assert.ok(!copied.stderr.includes(password));
      // A second copy would overwrite: refused, exit 2.
      await refused(['copy', '--from', file, '--to', url], /already has a study named "blobs".*never overwrites/);

      for (const args of [['top', '--study', 'blobs'], ['studies'], ['trials', '--study', 'blobs'], ['show', '--study', 'blobs', '--trial', '0'], ['export', '--study', 'blobs', '--top', '2', '--format', 'json'], ['importance', '--study', 'blobs']]) {
        const onFile = await tune([...args, '--storage', file]);
        const onServer = await tune([...args, '--storage', url]);
        assert.equal(onServer.code, 0, `${args.join(' ')}: ${onServer.stderr}`);
        assert.equal(onServer.stdout, onFile.stdout, args.join(' '));
      }

      const back = join(dir, 'back.db');
      const home = await tune(['copy', '--from', url, '--to', back, '--study', 'blobs']);
      assert.equal(home.code, 0, home.stderr);
      const a = openStorage(file, { readonly: true });
      const b = openStorage(back, { readonly: true });
      const snapshot = async (s: typeof a) => {
        const st = (await s.getStudy('blobs'))!;
        const trials = await s.trials(st.id);
        return {
          study: { ...st, id: 0 },
          trials: await Promise.all(trials.map(async (t) => ({ ...t, id: 0, studyId: 0, reports: (await s.reports(t.id)).map((r) => ({ ...r, trialId: 0 })) }))),
        };
      };
      const [x, y] = [await snapshot(a), await snapshot(b)];
      assert.ok(x.trials.length > 0);
      assert.deepEqual(y.trials, x.trials);
      assert.deepEqual({ ...y.study, updatedAt: '' }, { ...x.study, updatedAt: '' });
      await a.close();
      await b.close();
    });
  });
}
