import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';

const dir = tempDir('tune-pruner-e2e-');
// Each trial scores its own `q` at every step, after a short wait so that the two workers' trials overlap.
writeFileSync(
  join(dir, 'flat.mjs'),
  `export async function objective(params, trial) {
  for (let step = trial.startStep + 1; step <= trial.budget; step++) {
    await new Promise((r) => setTimeout(r, 15));
    if ((await trial.report(step, params.q)) !== 'continue') break;
  }
  return params.q;
}
`,
);
const Q = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.55];
const EPOCHS = 6;
const spaceFile = (name: string, strategy: unknown, pruner: unknown) => {
  const file = join(dir, `${name}.json`);
  writeJson(file, {
    name,
    objective: { metric: 'score', direction: 'maximize' },
    task: { module: './flat.mjs', epochs: EPOCHS },
    params: { q: { type: 'categorical', values: Q } },
    strategy,
    pruner,
    seed: 5,
  });
  return file;
};

test('the median pruner stops trials below the median with --workers 2; pruned trials keep their curves', async () => {
  const db = join(dir, 'tune.db');
  const r = runCli(['--space', spaceFile('flat', { type: 'grid' }, { type: 'median', startup: 2, warmup: 1 }), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const storage = openStorage(db);
  try {
    const study = (await storage.getStudy('flat'))!;
    const trials = await storage.trials(study.id);
    assert.equal(trials.length, Q.length);
    const pruned = trials.filter((t) => t.state === 'pruned');
    const complete = trials.filter((t) => t.state === 'complete');
    assert.equal(pruned.length + complete.length, Q.length, trials.map((t) => `${t.number} ${t.state} ${t.error?.message ?? ''}`).join('\n'));
    assert.ok(pruned.length >= 3, `several of ${Q.length} flat curves fall below the median: ${pruned.length} pruned`);
    assert.ok(complete.length >= 2, 'the startup trials complete');
    const q = (t: (typeof trials)[number]) => t.params.q as number;
    const best = trials.reduce((a, b) => (q(b) > q(a) ? b : a));
    assert.equal(best.state, 'complete', 'the best curve is never below the median');
    for (const t of pruned) {
      assert.ok(t.epochs >= 2 && t.epochs < EPOCHS, `trial ${t.number} pruned after the warmup and before its budget: ${t.epochs}`);
      assert.equal(t.value, q(t));
      const reports = await storage.reports(t.id);
      assert.deepEqual(reports.map((x) => x.epoch), Array.from({ length: t.epochs }, (_, i) => i + 1), 'its curve is kept');
      // It was below the median of values other trials reported at that epoch, so some other trial beat it there.
      const beaten = await Promise.all(trials.filter((o) => o.id !== t.id && o.epochs >= t.epochs).map(async (o) => (await storage.reports(o.id))[t.epochs - 1]!.metrics.score ?? Number.NaN));
      assert.ok(beaten.some((v) => v > q(t)), `trial ${t.number} (q ${q(t)}) was pruned without a better trial at epoch ${t.epochs}`);
    }
    const epochs = trials.reduce((n, t) => n + t.epochs, 0);
    assert.ok(epochs < Q.length * EPOCHS, `pruning saved epochs: ${epochs} of ${Q.length * EPOCHS}`);
    assert.equal((await storage.leaderboard(study.id, 1))[0]?.trial.id, best.id);
  } finally {
    await storage.close();
  }
});

test('a pruner beside a multi-fidelity strategy exits 2 before any trial, and says why', () => {
  const db = join(dir, 'sha.db');
  const file = spaceFile('sha', { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 3 }, { type: 'median' });
  const r = runCli(['--space', file, '--storage', db]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.ok(r.stderr.includes(file), r.stderr);
  assert.match(r.stderr, /pruner/);
  assert.match(r.stderr, /successive-halving strategy prunes trials by its own rungs/);
  assert.equal(existsSync(db), false, 'no database, so no trial');
});
