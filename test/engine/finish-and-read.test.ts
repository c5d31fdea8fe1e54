/**
 * On PostgreSQL a finish reads the study's changes in its own round trip (`Storage.finishAndRead`), so the sweep's
 * next ask needn't read them again (issue 13 §3, §8). That ask must still see every other tuner's trial stored before
 * the finish, and the sweep must store what it stores without the merged read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import { MemoryCheckpointStore } from '../../src/execution/index.js';
import type { TrialTask } from '../../src/execution/types.js';
import { PostgresStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import type { Strategy } from '../../src/strategies/types.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { space } from '../helpers/records.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from '../storage/postgres-helpers.js';

/** `storage` with its calls counted by name; `merged: false` hides finishAndRead, as on a storage without it. */
function counting(storage: PostgresStorage, merged: boolean): { storage: Storage; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const proxy = new Proxy(storage, {
    get(target, prop, receiver) {
      if (prop === 'finishAndRead' && !merged) return undefined;
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        calls.set(String(prop), (calls.get(String(prop)) ?? 0) + 1);
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage: proxy, calls };
}

/** The trial ids the strategy's context held at each ask. */
function watched(strategy: Strategy): { strategy: Strategy; seen: number[][] } {
  const seen: number[][] = [];
  const ask: Strategy['ask'] = (ctx) => {
    seen.push(ctx.trials.map((t) => t.id));
    return strategy.ask(ctx);
  };
  return { strategy: Object.assign(Object.create(strategy) as Strategy, { ask }), seen };
}

const shape = (ts: readonly TrialRecord[]) => ts.map((t) => [t.number, t.state, t.params, t.seed, t.value, t.epochs]);

if (PG_URL === undefined) {
  test('finish and read on PostgreSQL', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_finishread');

  test('a sweep reads the changes with each finish instead of before each ask, and stores the same trials', async () => {
    const s = space({ strategy: { type: 'random', trials: 8 } });
    const runs = [];
    for (const merged of [true, false]) {
      const pg = PostgresStorage.open(await db.freshSchema());
      const { storage, calls } = counting(pg, merged);
      const study = await storage.openStudy(studySpec(s));
      await runTrials({ space: s, study, storage, runner: new FakeRunner(), strategy: createStrategy(s), workers: 1, maxTrials: 8, checkpoints: new MemoryCheckpointStore() });
      runs.push({ trials: await storage.trials(study.id), calls });
      await pg.close();
    }
    const [withRead, without] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.deepEqual(shape(withRead.trials), shape(without.trials), 'one worker: the same trials either way');
    assert.equal(withRead.calls.get('finishAndRead'), 8);
    assert.equal(withRead.calls.get('finishTrial') ?? 0, 0);
    assert.ok((without.calls.get('changesSince') ?? 0) >= 9, `without: a read before each ask (${without.calls.get('changesSince')})`);
    // With it: the first view's reads only (the seq, then one look before the first ask).
    assert.ok((withRead.calls.get('changesSince') ?? 0) <= 3, `with: ${withRead.calls.get('changesSince')} reads`);
  });

  test("the ask after a finish sees another tuner's trial stored while the finished trial ran", async () => {
    const s = space({ strategy: { type: 'random', trials: 6 } });
    const url = await db.freshSchema();
    const pg = PostgresStorage.open(url);
    const other = PostgresStorage.open(url);
    const study = await pg.openStudy(studySpec(s));
    const theirs: number[] = [];
    // During each of our trials, another tuner runs a trial of its own to the end.
    class Interleaved extends FakeRunner {
      override async run(task: TrialTask, onEpoch: Parameters<FakeRunner['run']>[1], signal?: AbortSignal) {
        const t = await other.createTrial(study.id, { params: { learningRate: 0.05, batchSize: 32 }, budget: 3, seed: 1, key: `theirs-${task.trialId}`, claimBy: 'other', leaseMs: 60_000 });
        await other.finishTrial(t.id, { state: 'complete', epochs: 3, value: 0.5 });
        theirs.push(t.id);
        return super.run(task, onEpoch, signal);
      }
    }
    const { strategy, seen } = watched(createStrategy(s));
    const { storage, calls } = counting(pg, true);
    await runTrials({ space: s, study, storage, runner: new Interleaved(), strategy, workers: 1, maxTrials: 6, checkpoints: new MemoryCheckpointStore() });
    assert.ok((calls.get('finishAndRead') ?? 0) >= 2);
    // Every ask after the first saw each trial the other tuner had stored before it: theirs[k] was stored during the
    // trial that the (k+1)th ask followed.
    for (let k = 0; k + 1 < seen.length && k < theirs.length; k++) {
      assert.ok(seen[k + 1]!.includes(theirs[k]!), `ask ${k + 1} saw the other tuner's trial ${theirs[k]}: ${JSON.stringify(seen[k + 1])}`);
    }
    await Promise.all([pg.close(), other.close()]);
  });
}
