/**
 * Outages (issue 13 §4): the server restarts (pg_ctl restart) while a tuner writes; the storage reconnects with
 * backoff and runs the interrupted transactions again, so every trial is stored once, with all its reports.
 * Runs on a throwaway cluster of its own (scripts/ci/postgres.sh), never on a shared server.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { PostgresStorage } from '../../src/storage/index.js';
import { newTrial, spec } from './helpers.js';

const script = fileURLToPath(new URL('../../scripts/ci/postgres.sh', import.meta.url));
const hasInitdb = (() => {
  try {
    if (readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`))) return true;
  } catch {
    // no Debian layout: look on PATH
  }
  try {
    execFileSync('sh', ['-c', 'command -v initdb'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

if (!hasInitdb) {
  test('PostgreSQL server restart', (t) => t.skip('no initdb here to start a throwaway cluster: apt-get install postgresql (.ci/run does)'));
} else {
  const env = Object.fromEntries(
    execFileSync(script, ['start'], { encoding: 'utf8' }).trim().split('\n')
      .map((l) => /^export (\w+)=(.*)$/.exec(l)).filter((m) => m !== null).map((m) => [m[1]!, m[2]!]),
  );
  const dir = env.TUNE_PG_DIR!;
  const url = env.TUNE_TEST_POSTGRES_URL!;
  after(() => execFileSync(script, ['stop', dir]));

  test('pg_ctl restart mid-sweep: the writes wait, reconnect and go through; no trial lost or duplicated', async () => {
    const s = PostgresStorage.open(url, { reconnectForMs: 60_000 });
    const study = await s.openStudy(spec());
    const trials = 60;
    const epochs = 3;
    let restart: Promise<unknown> | undefined;
    // Two "workers" writing at once, as a tuner's pool does; the restart lands somewhere inside their writes.
    const worker = async (w: number) => {
      for (let i = w; i < trials; i += 2) {
        const t = await s.createTrial(study.id, newTrial({ key: `k${i}`, params: { lr: i / 100, layers: 1 + (i % 4) } }));
        const held = await s.acquireTrial(t.id, `w${w}`, 60_000);
        assert.ok(held, `trial ${t.number} claimed`);
        const fence = { worker: `w${w}`, claim: held.claims ?? 0 };
        for (let e = 1; e <= epochs; e++) await s.report(t.id, e, { val_accuracy: i + e / 10 }, i + e / 10, fence);
        await s.heartbeat([t.id], `w${w}`);
        await s.finishTrial(t.id, { state: 'complete', epochs }, fence);
        // Not awaited: both workers keep writing while the server goes down and comes back.
        if (i === 20) restart = promisify(execFile)(script, ['restart', dir]);
      }
    };
    await Promise.all([worker(0), worker(1)]);
    assert.ok(restart);
    await restart;
    assert.ok(s.reconnections > 0, 'the restart broke the connection and it was reopened');

    const stored = await s.trials(study.id);
    assert.deepEqual(stored.map((t) => t.number), Array.from({ length: trials }, (_, i) => i), 'each trial once');
    assert.ok(stored.every((t) => t.state === 'complete' && t.epochs === epochs && t.claims === 1), 'each finished once');
    for (const t of stored) {
      const reports = await s.reports(t.id);
      assert.deepEqual(reports.map((r) => r.epoch), [1, 2, 3], `trial #${t.number}'s reports`);
    }
    await s.close();
  });
}
