/**
 * A store served from the main thread (main-thread-store.ts), through a real worker pool: the trial's worker writes
 * and reads its checkpoint over the trial's port, and a resumed trial is bit-identical to a straight one. With
 * PostgreSQL, the database store does the same on the tuner's one connection: no worker thread connects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Decision, Metrics } from '../../src/core/types.js';
import { DatabaseCheckpointStore } from '../../src/engine/index.js';
import {
  checkpointStoreFor, createTrialRunner, MemoryCheckpointStore, serveFromMainThread, stopServing,
  type CheckpointStore, type CheckpointStoreSpec, type ExecutionOutcome, type TrialRunner, type TrialTask,
} from '../../src/execution/index.js';
import { PostgresStorage } from '../../src/storage/index.js';
import { PG_SKIP_REASON, PG_URL, testDatabase, withDatabase } from '../storage/postgres-helpers.js';
import { BLOBS_MLP, trialTask } from './helpers.js';

describe('a main-thread checkpoint store through a wasm worker pool', () => {
  let runner: TrialRunner;
  before(async () => {
    runner = await createTrialRunner({ workers: 1, backend: 'wasm' });
  });
  after(() => runner.close());

  const params = { learningRate: 0.01, batchSize: 16, decay: 0.2, dropout: 0.2 };
  const task = (spec: CheckpointStoreSpec, extra: Partial<TrialTask> = {}): TrialTask => ({
    ...trialTask({ task: BLOBS_MLP, params, budget: 3, seed: 4 }), checkpointStore: spec, ...extra,
  });

  async function run(t: TrialTask, pauseAt?: number): Promise<{ outcome: ExecutionOutcome; seen: [number, Metrics][] }> {
    const seen: [number, Metrics][] = [];
    const outcome = await runner.run(t, async (epoch, metrics): Promise<Decision> => {
      seen.push([epoch, metrics]);
      return epoch === pauseAt ? 'pause' : 'continue';
    });
    return { outcome, seen };
  }

  /** Pause at epoch 1 into `store` (the workers get `spec`), resume to 3: the same epochs as a straight run, exactly. */
  async function pausesAndResumes(store: CheckpointStore, spec: CheckpointStoreSpec, study: string): Promise<string> {
    const slot = store.slot(study, 0);
    const straight = await run(task(spec));
    const paused = await run(task(spec, { checkpointDir: slot }), 1);
    assert.equal(paused.outcome.state, 'paused', paused.outcome.error?.message);
    const ref = paused.outcome.checkpoint!;
    assert.equal(await store.locate(ref, slot), ref, 'the worker wrote it into the main thread\'s store');
    assert.equal((await store.read(ref, 'model')).manifest.epochs, 1);
    const resumed = await run(task(spec, { checkpointDir: slot, resumeFrom: ref }));
    assert.equal(resumed.outcome.state, 'complete', resumed.outcome.error?.message);
    assert.deepEqual(resumed.seen, straight.seen.slice(1), 'bit-identical to never pausing');
    return ref;
  }

  test('an in-memory store served from the main thread: pause and resume over the port', async () => {
    const memory = new MemoryCheckpointStore();
    const spec = serveFromMainThread(memory);
    const served = checkpointStoreFor(spec);
    assert.equal(served, memory, 'in the main thread the spec is the store itself');
    try {
      const ref = await pausesAndResumes(memory, spec, 'mem');
      // A checkpoint gone from the main thread's store fails the resume in the worker, naming its ref.
      await memory.discard(memory.slot('mem', 0));
      const gone = await run(task(spec, { resumeFrom: ref }));
      assert.equal(gone.outcome.state, 'failed');
      assert.ok(gone.outcome.error?.message.startsWith(`checkpoint ${ref}: not found`), gone.outcome.error?.message);
    } finally {
      stopServing(spec);
    }
  });

  if (PG_URL === undefined) {
    test('the PostgreSQL store through the pool', (t) => t.skip(PG_SKIP_REASON));
  } else {
    const url = PG_URL;
    test('the PostgreSQL store through the pool: one connection for the process, none in the workers', async () => {
      const db = await testDatabase(url);
      const app = `tune-ckpt-${process.pid}`;
      const storage = PostgresStorage.open(withDatabase(url, db.name, { application_name: app }));
      try {
        const store = new DatabaseCheckpointStore(storage.checkpointBlobs());
        assert.equal(store.spec.kind, 'main-thread');
        assert.doesNotMatch(JSON.stringify(store.spec), /postgres|tune-dev|@/, 'the spec a worker gets holds no way to connect');
        const ref = await pausesAndResumes(store, store.spec, 'pg');
        assert.match(ref, /^db:pg\/trial-0\/ckpt-1$/);
        const connections = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1', [app]);
        assert.deepEqual(connections, [{ n: 1 }]);
        stopServing(store.spec);
      } finally {
        await storage.close();
      }
    });
  }
});
