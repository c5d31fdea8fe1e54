/** The ask-and-tell API: your loop evaluates trials; storage, strategies, the leaderboard and export are tune's. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AskError, openStudy, type Study, type TrialHandle } from '../../src/index.js';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';

const quadratic = (p: TrialHandle['params']): number => ((p['x'] as number) - 0.3) ** 2 + ((p['y'] as number) + 0.1) ** 2;

function space(dir: string, strategy: object, extra: object = {}): string {
  const file = join(dir, 'space.json');
  writeJson(file, {
    name: 'quad',
    objective: { metric: 'error', direction: 'minimize' },
    task: { epochs: 3 },
    params: { x: { type: 'float', min: -1, max: 1 }, y: { type: 'float', min: -1, max: 1 } },
    strategy,
    seed: 4,
    ...extra,
  });
  return file;
}

async function askOrNull(study: Study): Promise<TrialHandle | null> {
  try {
    return await study.ask();
  } catch (e) {
    if (e instanceof AskError && e.reason === 'done') return null;
    throw e;
  }
}

describe('ask and tell', () => {
  test('a round trip writes trials, reports and values to SQLite, and `tune top` and `tune export` read them', async () => {
    const dir = tempDir();
    const db = join(dir, 'tune.db');
    const study = await openStudy(space(dir, { type: 'random', trials: 5 }), { storage: db });
    for (let i = 0; i < 5; i++) {
      const t = await study.ask();
      assert.equal(t.number, i);
      assert.equal(t.startStep, 0);
      for (let step = 1; step <= t.budget; step++) {
        assert.equal(await study.report(t, step, quadratic(t.params) * (4 - step), { step2: step * 2 }), 'continue');
        assert.equal(study.shouldPrune(t), false);
      }
      const told = await study.tell(t, quadratic(t.params));
      assert.equal(told.state, 'complete');
    }
    await assert.rejects(study.ask(), (e: unknown) => e instanceof AskError && e.reason === 'done' && /proposed all its trials \(5\)/.test(e.message));
    const best = await study.best();
    const all = await study.trials();
    assert.equal(all.length, 5);
    assert.equal(best?.value, Math.min(...all.map((t) => t.value!)));
    await study.close();

    const storage = openStorage(db);
    try {
      const reports = await storage.reports(best!.id);
      assert.deepEqual(reports.map((r) => r.epoch), [1, 2, 3]);
      assert.equal(reports[1]!.metrics['step2'], 4);
    } finally {
      await storage.close();
    }
    const top = runCli(['top', '--study', 'quad', '--storage', db, '--json']);
    assert.equal(top.code, 0, top.stderr);
    const rows = JSON.parse(top.stdout) as { trial: number; value: number }[];
    assert.equal(rows[0]!.trial, best!.number);
    const exported = runCli(['export', '--study', 'quad', '--storage', db, '--top', '2', '--format', 'csv']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout.split('\n')[0]!, /^rank,trial,value,metric,epochs,x,y/);
    assert.equal(exported.stdout.trim().split('\n').length, 3);
  });

  test('a value told without reports is stored at the budget; pruned and failed trials are stored as told', async () => {
    const dir = tempDir();
    const db = join(dir, 'tune.db');
    const study = await openStudy(space(dir, { type: 'random', trials: 3 }), { storage: db });
    const [a, b, c] = [await study.ask(), await study.ask(), await study.ask()]; // three at once, as parallel workers would
    assert.deepEqual(await Promise.all([study.tell(a, 0.5), study.tell(b, { state: 'pruned' }), study.tell(c, { state: 'failed', error: 'simulator crashed' })]).then((r) => r.map((t) => [t.state, t.epochs, t.value, t.error?.message ?? null])), [
      ['complete', 3, 0.5, null],
      ['pruned', 0, null, null],
      ['failed', 0, null, 'simulator crashed'],
    ]);
    await assert.rejects(study.tell(a, 1), /trial #0 is complete, not running/);
    await study.close();
  });

  test('reopening continues the study; more trials can be asked with a higher count', async () => {
    const dir = tempDir();
    const db = join(dir, 'tune.db');
    const file = space(dir, { type: 'random', trials: 2 });
    const first = await openStudy(file, { storage: db });
    for (let t = await askOrNull(first); t !== null; t = await askOrNull(first)) await first.tell(t, quadratic(t.params));
    await first.close();
    const again = await openStudy(file, { storage: db, trials: 3 });
    const t = await again.ask();
    assert.equal(t.number, 2);
    await again.tell(t, 1);
    assert.equal((await again.trials()).length, 3);
    await again.close();
  });

  test('successive halving: pauses at rung ends, promotes the best (startStep > 0) and prunes the rest', async () => {
    const dir = tempDir();
    const study = await openStudy(space(dir, { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 }, { task: { epochs: 9 } }), { storage: join(dir, 'tune.db') });
    const starts: number[] = [];
    for (let t = await askOrNull(study); t !== null; t = await askOrNull(study)) {
      starts.push(t.startStep);
      let value = 0;
      for (let step = t.startStep + 1; step <= t.budget; step++) {
        value = quadratic(t.params) + 1 / step;
        if ((await study.report(t, step, value)) !== 'continue') break;
      }
      await study.tell(t, value);
    }
    assert.deepEqual(starts, [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 3]);
    const trials = await study.trials();
    assert.deepEqual(trials.map((t) => t.state).sort(), ['complete', ...Array<string>(8).fill('pruned')]);
    const winner = trials.find((t) => t.state === 'complete')!;
    assert.equal(winner.epochs, 9);
    assert.equal(winner.id, [...trials].sort((x, y) => quadratic(x.params) - quadratic(y.params))[0]!.id, 'the best config reaches the top rung');
    await study.close();
  });

  test("a synchronous strategy asked past a rung's end says it waits for the running trials", async () => {
    const dir = tempDir();
    const study = await openStudy(space(dir, { type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 3, trials: 3 }), { storage: join(dir, 'tune.db') });
    const asked = [await study.ask(), await study.ask(), await study.ask()];
    await assert.rejects(study.ask(), (e: unknown) => e instanceof AskError && e.reason === 'wait' && /waits for 3 running trial/.test(e.message));
    for (const t of asked) await study.tell(t, quadratic(t.params));
    const promoted = await study.ask();
    assert.equal(promoted.startStep, 1);
    assert.equal(promoted.budget, 3);
    await study.close();
  });
});
