/** Warm starts: enqueued configs run first, count toward the trials, run once across resumes, and strategies learn from them. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Params } from '../../src/core/types.js';
import { enqueueTrial } from '../../src/engine/enqueue.js';
import { openStudyFor } from '../../src/engine/run-sweep.js';
import { StopController } from '../../src/engine/stop.js';
import { runTrials } from '../../src/engine/sweep.js';
import { openStudy } from '../../src/engine/ask-tell.js';
import { InputError, UsageError } from '../../src/core/errors.js';
import { MemoryCheckpointStore } from '../../src/execution/index.js';
import { gridPoints, paramsKey, parseSpace, type SearchSpace } from '../../src/space/index.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy } from '../../src/strategies/index.js';
import { FakeRunner } from '../helpers/fake-runner.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-enqueue-engine-'));
const CKPT = new MemoryCheckpointStore();

function warmSpace(strategy: Record<string, unknown>, enqueue: Params[], params?: Record<string, unknown>): SearchSpace {
  return parseSpace(
    {
      name: 'warm',
      objective: { metric: 'val_accuracy' },
      task: { data: { builtin: 'mnist', limit: 100 }, epochs: 2 },
      params: params ?? { learningRate: { type: 'float', min: 0.0001, max: 0.1, log: true }, batchSize: { type: 'categorical', values: [32, 64] } },
      strategy,
      seed: 5,
      enqueue,
    },
    join(dir, 'space.json'),
  );
}

/** One run of the sweep on a freshly opened database, as a separate `tune` process would do it. */
async function run(db: string, space: SearchSpace, maxTrials: number, stop?: StopController) {
  const storage = openStorage(db);
  try {
    const study = await openStudyFor(storage, space);
    const result = await runTrials({ space, study, storage, runner: new FakeRunner(), strategy: createStrategy(space), workers: 2, maxTrials, checkpoints: CKPT, ...(stop ? { stop } : {}) });
    return { result, trials: await storage.trials(study.id) };
  } finally {
    await storage.close();
  }
}

const ENQUEUED: Params[] = [
  { learningRate: 0.01, batchSize: 32 },
  { learningRate: 0.002, batchSize: 64 },
  { learningRate: 0.05, batchSize: 32 },
];

test('enqueued configs run first and count toward the trials; a resume runs the rest once, and nothing twice', async () => {
  const db = join(dir, 'resume.db');
  const space = warmSpace({ type: 'random', trials: 5 }, ENQUEUED);
  const first = await run(db, space, 2);
  assert.equal(first.result.ran, 2);
  assert.deepEqual(first.trials.map((t) => t.params), ENQUEUED.slice(0, 2), 'the first two enqueued configs, in order, and nothing sampled');

  const second = await run(db, space, 5);
  assert.equal(second.result.ran, 3, 'the third enqueued config and two sampled ones reach the total of 5');
  assert.deepEqual(second.trials[2]!.params, ENQUEUED[2], 'the rest of the queue goes before sampled configs');
  assert.equal(second.trials.length, 5);
  assert.ok(second.trials.every((t) => t.state === 'complete'));
  assert.equal(new Set(second.trials.map((t) => paramsKey(t.params))).size, 5, 'no config ran twice');
  assert.deepEqual(second.trials.map((t) => t.number), [0, 1, 2, 3, 4]);

  const third = await run(db, space, 5);
  assert.equal(third.result.ran, 0, 'a finished study with its queue done runs nothing');
});

test('enqueued configs stored by a run that stopped before starting them run once in the next run', async () => {
  const db = join(dir, 'stopped.db');
  const space = warmSpace({ type: 'random', trials: 4 }, ENQUEUED.slice(0, 2));
  const stop = new StopController();
  stop.stop('SIGINT');
  const stopped = await run(db, space, 4, stop);
  assert.equal(stopped.result.ran, 0);
  assert.deepEqual(stopped.trials.map((t) => t.state), ['waiting', 'waiting'], 'stored as waiting trials');
  const next = await run(db, space, 4);
  assert.equal(next.result.ran, 4);
  assert.deepEqual(next.trials.slice(0, 2).map((t) => [t.params, t.state]), ENQUEUED.slice(0, 2).map((p) => [p, 'complete']));
  assert.equal(new Set(next.trials.map((t) => paramsKey(t.params))).size, 4);
});

test('grid: an enqueued grid point runs first and is not run again by the grid', async () => {
  const params = { learningRate: { type: 'categorical', values: [0.001, 0.01, 0.1] }, batchSize: { type: 'categorical', values: [32, 64] } };
  const space = warmSpace({ type: 'grid' }, [{ learningRate: 0.1, batchSize: 64 }], params);
  const { result, trials } = await run(join(dir, 'grid.db'), space, 6);
  assert.equal(result.ran, 6);
  assert.deepEqual(trials[0]!.params, { learningRate: 0.1, batchSize: 64 });
  assert.deepEqual(new Set(trials.map((t) => paramsKey(t.params))), new Set(gridPoints(space.params).map(paramsKey)), 'each of the 6 points exactly once');
});

test('TPE learns from enqueued trials: with them as its startup trials, its next configs come from the model', async () => {
  // FakeRunner's quality peaks at learningRate 0.01: the enqueued configs bracket it, and only one is good.
  const warm: Params[] = [{ learningRate: 0.01, batchSize: 32 }, { learningRate: 0.0001, batchSize: 32 }, { learningRate: 0.1, batchSize: 64 }, { learningRate: 0.0003, batchSize: 64 }];
  const near = (t: { params: Params }) => Math.abs(Math.log10(t.params.learningRate as number) + 2) < 0.5;
  const tpe = await run(join(dir, 'tpe.db'), warmSpace({ type: 'tpe', trials: 24, startup: 4 }, warm), 24);
  const random = await run(join(dir, 'random.db'), warmSpace({ type: 'random', trials: 20 }, []), 20);
  // Random search puts a third of its configs within half a decade of 0.01 (a third of the log range).
  const share = (ts: readonly { params: Params }[]) => ts.filter(near).length / ts.length;
  const learnt = share(tpe.trials.slice(4));
  assert.ok(learnt >= 0.6, `TPE after 4 enqueued trials: ${(learnt * 100).toFixed(0)}% of its configs near the optimum`);
  assert.ok(learnt > share(random.trials) + 0.2, `TPE ${learnt} vs random ${share(random.trials)}`);
});

test('ask and tell: an enqueued config is the first trial asked', async () => {
  const study = await openStudy(warmSpace({ type: 'random', trials: 3 }, [ENQUEUED[1]!]), { storage: join(dir, 'ask.db') });
  try {
    const t = await study.ask();
    assert.equal(t.number, 0);
    assert.deepEqual(t.params, ENQUEUED[1]);
  } finally {
    await study.close();
  }
});

test('enqueueTrial (tune enqueue): a stored study takes a checked config as a waiting trial; bad params name the param', async () => {
  const db = join(dir, 'cli.db');
  const space = warmSpace({ type: 'random', trials: 2 }, []);
  await run(db, space, 2);
  const storage = openStorage(db);
  try {
    const study = (await storage.getStudy('warm'))!;
    await assert.rejects(enqueueTrial(storage, study, { learningRate: 2, batchSize: 32 }, db), (e: unknown) => {
      assert.ok(e instanceof InputError && e.exitCode === 2);
      assert.match(e.message, /--params: invalid input\n\s+at learningRate: expected a number in \[0\.0001, 0\.1\], got 2/);
      return true;
    });
    await assert.rejects(enqueueTrial(storage, study, { learningRate: 0.01, batchSize: 32, dropout: 0.1 }, db), /at dropout: unknown param "dropout"/);
    assert.equal((await storage.trials(study.id)).length, 2, 'nothing stored for a refused config');
    const t = await enqueueTrial(storage, study, { learningRate: 0.03, batchSize: 64 }, db);
    assert.equal(t.state, 'waiting');
    assert.equal(t.number, 2);
    await assert.rejects(enqueueTrial(storage, study, { learningRate: 0.03, batchSize: 64 }, db), (e: unknown) => e instanceof UsageError && /already has these params as trial #2/.test(e.message));
  } finally {
    await storage.close();
  }
  const resumed = await run(db, space, 2);
  assert.equal(resumed.result.ran, 1, 'the next run trains the enqueued trial');
  assert.equal(resumed.trials[2]!.state, 'complete');
});
