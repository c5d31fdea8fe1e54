/** The crash-safe, shared-sweep part of the storage contract: trial keys, conflicts, requeue, heartbeats, studies. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, StorageError } from '../../src/core/errors.js';
import type { TrialRecord } from '../../src/core/types.js';
import type { Storage } from '../../src/storage/types.js';
import { newTrial, reportEpochs, spec, storageTest, type MakeStorage } from './helpers.js';

const isConflict = (e: unknown): boolean => e instanceof ConflictError;
const isPlainStorageError = (e: unknown): boolean => e instanceof StorageError && !(e instanceof ConflictError);

/** A running trial with two reported epochs and a checkpoint (paused once, promoted, claimed again by `worker`). */
async function runningWithCheckpoint(s: Storage, studyId: number, worker: string): Promise<TrialRecord> {
  const t = await s.createTrial(studyId, newTrial({ budget: 1, rung: 0 }));
  await s.claimTrial(t.id, 'w0');
  await reportEpochs(s, t.id, [0.25]);
  await s.finishTrial(t.id, { state: 'paused', epochs: 1, checkpoint: `ckpt/${t.id}` });
  await s.promoteTrial(t.id, 3, 1);
  assert.equal(await s.claimTrial(t.id, worker), true);
  await reportEpochs(s, t.id, [0.5], 2);
  const running = await s.trial(t.id);
  assert.ok(running);
  return running;
}

export function sharedContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, shared sweeps: ${name}`, () => {
    test('a trial key is unique within its study: a second create throws ConflictError and writes nothing', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const other = await s.openStudy(spec({ name: 'other' }));
      const first = await s.createTrial(st.id, newTrial({ key: 'grid/3' }));
      assert.deepEqual([first.number, first.attempts], [0, 0]);
      await assert.rejects(s.createTrial(st.id, newTrial({ key: 'grid/3', seed: 99 })), (e: unknown) => {
        assert.ok(isConflict(e), String(e));
        assert.match((e as Error).message, /study "adam".*key "grid\/3"/);
        return true;
      });
      assert.deepEqual((await s.trials(st.id)).map((t) => t.id), [first.id]);
      // the refused create took no number, and keys of other studies and key-less trials are independent
      assert.equal((await s.createTrial(st.id, newTrial({ key: 'grid/4' }))).number, 1);
      assert.equal((await s.createTrial(st.id, newTrial())).number, 2);
      assert.equal((await s.createTrial(st.id, newTrial())).number, 3);
      assert.equal((await s.createTrial(other.id, newTrial({ key: 'grid/3' }))).number, 0);
      // a key stays taken whatever becomes of its trial
      await s.finishTrial(first.id, { state: 'failed', epochs: 0 });
      await assert.rejects(s.createTrial(st.id, newTrial({ key: 'grid/3' })), ConflictError);
      await assert.rejects(s.createTrial(st.id, newTrial({ key: '' })), isPlainStorageError);
      assert.equal((await s.trials(st.id)).length, 4);
    }));

    test('a window of numbers: the next number takes its entry (seed, params, key #n); outside it, a ConflictError that writes nothing', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const at = [0, 1, 2].map((i) => ({ seed: 100 + i, params: { lr: 0.1 * (i + 1), layers: i } }));
      // Two creators with the same view (next number 0) both get a number, each with that number's entry.
      const a = await s.createTrial(st.id, newTrial({ numbers: { first: 0, at, keyByNumber: true }, claimBy: 'a' }));
      const b = await s.createTrial(st.id, newTrial({ numbers: { first: 0, at, keyByNumber: true } }));
      assert.deepEqual([a.number, a.seed, a.params, a.state], [0, 100, { lr: 0.1, layers: 0 }, 'running']);
      assert.deepEqual([b.number, b.seed, b.params, b.state], [1, 101, { lr: 0.2, layers: 1 }, 'waiting']);
      // Its params rows are that entry's (the filter and the leaderboard read them).
      assert.deepEqual((await s.trial(b.id))?.params, { lr: 0.2, layers: 1 });
      // The key is the number: a create keyed '#1' is refused.
      await assert.rejects(s.createTrial(st.id, newTrial({ key: '#1' })), (e: unknown) => {
        assert.ok(isConflict(e), String(e));
        assert.match((e as Error).message, /key "#1" \(trial #1/);
        return true;
      });
      // An entry without params keeps the trial's own; a window without keyByNumber keeps its key.
      const c = await s.createTrial(st.id, newTrial({ key: 'enq', numbers: { first: 1, at: [{ seed: 5 }, { seed: 6 }] } }));
      assert.deepEqual([c.number, c.seed, c.params], [2, 6, newTrial().params]);
      await assert.rejects(s.createTrial(st.id, newTrial({ key: 'enq2' })).then(() => s.createTrial(st.id, newTrial({ key: 'enq' }))), /key "enq"/);
      // Next number 4: a window 0…2 or 5…5 is behind or ahead, refused, and writes nothing.
      for (const first of [0, 5]) {
        await assert.rejects(s.createTrial(st.id, newTrial({ numbers: { first, at, keyByNumber: true } })), (e: unknown) => {
          assert.ok(isConflict(e), String(e));
          assert.match((e as Error).message, /next trial number is 4/);
          return true;
        });
      }
      assert.deepEqual((await s.trials(st.id)).map((t) => [t.number, t.seed]), [[0, 100], [1, 101], [2, 6], [3, 7]]);
      // A bad window is a plain StorageError.
      await assert.rejects(s.createTrial(st.id, newTrial({ numbers: { first: 4, at: [] } })), isPlainStorageError);
      await assert.rejects(s.createTrial(st.id, newTrial({ numbers: { first: -1, at } })), isPlainStorageError);
      await assert.rejects(s.createTrial(st.id, newTrial({ numbers: { first: 4, at: [{ seed: 0.5 }] } })), isPlainStorageError);
    }));

    test('promoting a trial that is no longer paused is a ConflictError; bad promotions stay StorageErrors', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial({ budget: 1, rung: 0 }));
      await s.claimTrial(t.id, 'w');
      const paused = await s.finishTrial(t.id, { state: 'paused', epochs: 1, checkpoint: 'ckpt' });
      await assert.rejects(s.promoteTrial(t.id, 1, 1), isPlainStorageError); // budget doesn't grow
      await assert.rejects(s.promoteTrial(t.id + 1000, 3, 1), isPlainStorageError);
      assert.deepEqual(await s.trial(t.id), paused);
      const promoted = await s.promoteTrial(t.id, 3, 1);
      // another tuner, a moment late, promotes or pruned the same trial
      await assert.rejects(s.promoteTrial(t.id, 3, 1), (e: unknown) => {
        assert.ok(isConflict(e), String(e));
        assert.match((e as Error).message, /trial \d+ .*it is waiting/);
        return true;
      });
      assert.deepEqual(await s.trial(t.id), promoted);
      await s.finishTrial(t.id, { state: 'failed', epochs: 1 });
      await assert.rejects(s.promoteTrial(t.id, 9, 2), isConflict);
    }));

    test('requeue: running → waiting → claimed → running → complete, counting attempts only when asked', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const running = await runningWithCheckpoint(s, st.id, 'w1');
      const boom = { kind: 'exception', message: 'boom' } as const;
      const requeued = await s.requeueTrial(running.id, { countAttempt: true, error: boom });
      assert.deepEqual(requeued, { ...running, state: 'waiting', worker: null, attempts: 1, error: boom });
      assert.deepEqual([requeued.epochs, requeued.value, requeued.checkpoint], [2, 0.5, `ckpt/${running.id}`]);
      assert.deepEqual((await s.reports(running.id)).map((r) => r.epoch), [1, 2]);

      assert.equal(await s.claimTrial(running.id, 'w2'), true);
      const again = await s.trial(running.id);
      assert.deepEqual([again?.state, again?.worker, again?.startedAt, again?.attempts], ['running', 'w2', running.startedAt, 1]);
      // a tuner died under it: back to waiting without counting an attempt; the last error stays
      const orphan = await s.requeueTrial(running.id, { countAttempt: false });
      assert.deepEqual([orphan.state, orphan.attempts, orphan.error, orphan.worker], ['waiting', 1, boom, null]);
      const died = { kind: 'worker-died', message: 'gone' } as const;
      assert.equal(await s.claimTrial(running.id, 'w3'), true);
      assert.deepEqual((await s.requeueTrial(running.id, { countAttempt: true, error: died })).error, died);
      assert.equal(await s.claimTrial(running.id, 'w3'), true);
      await s.report(running.id, 3, { val_accuracy: 0.75 }, 0.75);
      const done = await s.finishTrial(running.id, { state: 'complete', epochs: 3 });
      assert.deepEqual([done.state, done.attempts, done.error, done.epochs, done.value], ['complete', 2, null, 3, 0.75]);
      assert.deepEqual((await s.reports(done.id)).map((r) => r.epoch), [1, 2, 3]);
    }));

    test('only a running trial can be requeued; anything else is a ConflictError that changes nothing', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const waiting = await s.createTrial(st.id, newTrial());
      const paused = await runningWithCheckpoint(s, st.id, 'w').then((t) => s.finishTrial(t.id, { state: 'paused', epochs: 2, checkpoint: 'c' }));
      const done = await runningWithCheckpoint(s, st.id, 'w').then((t) => s.finishTrial(t.id, { state: 'complete', epochs: 2 }));
      for (const t of [waiting, paused, done]) {
        await assert.rejects(s.requeueTrial(t.id, { countAttempt: true }), (e: unknown) => {
          assert.ok(isConflict(e), String(e));
          assert.match((e as Error).message, new RegExp(`trial ${t.id}: it is ${t.state}`));
          return true;
        });
        assert.deepEqual(await s.trial(t.id), t);
      }
      await assert.rejects(s.requeueTrial(done.id + 1000, { countAttempt: true }), isPlainStorageError);
      const running = await runningWithCheckpoint(s, st.id, 'w');
      const badKind = { kind: 'gremlins', message: 'x' } as unknown as { kind: 'exception'; message: string };
      await assert.rejects(s.requeueTrial(running.id, { countAttempt: true, error: badKind }), isPlainStorageError);
      assert.deepEqual(await s.trial(running.id), running);
    }));

    test('heartbeat touches only the running trials that worker owns', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const mine = await runningWithCheckpoint(s, st.id, 'me');
      const mineToo = await runningWithCheckpoint(s, st.id, 'me');
      const theirs = await runningWithCheckpoint(s, st.id, 'them');
      const pausedMine = await runningWithCheckpoint(s, st.id, 'me')
        .then((t) => s.finishTrial(t.id, { state: 'paused', epochs: 2, checkpoint: 'c' }));
      const waiting = await s.createTrial(st.id, newTrial());
      await sleep(5); // timestamps have millisecond resolution
      await s.heartbeat([mine.id, theirs.id, pausedMine.id, waiting.id, 9999], 'me');
      const after = await s.trial(mine.id);
      assert.ok((after?.heartbeatAt ?? '') > (mine.heartbeatAt ?? ''), 'the owner\'s running trial is alive now');
      assert.deepEqual(after, { ...mine, heartbeatAt: after?.heartbeatAt });
      for (const t of [mineToo, theirs, pausedMine, waiting]) assert.deepEqual(await s.trial(t.id), t);
      await s.heartbeat([], 'me');
      await assert.rejects(s.heartbeat([1.5], 'me'), StorageError);
    }));

    test('a study keeps its definition, in its own key order, and can be renamed to a free name', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      assert.equal(st.definition, null);
      const definition = { strategy: { name: 'grid' }, params: { zeta: [1, 2], alpha: { low: 0, high: 1 } }, note: null };
      await s.setStudyDefinition(st.id, definition);
      const stored = await s.getStudy('adam');
      assert.deepEqual(stored?.definition, definition);
      assert.deepEqual(Object.keys((stored?.definition as typeof definition).params), ['zeta', 'alpha']);
      assert.deepEqual((await s.openStudy(spec())).definition, definition);
      await s.setStudyDefinition(st.id, { v: 2 });
      assert.deepEqual((await s.studies())[0]?.study.definition, { v: 2 });
      await assert.rejects(s.setStudyDefinition(st.id + 1000, {}), StorageError);
      await assert.rejects(s.setStudyDefinition(st.id, undefined), StorageError);

      const t = await s.createTrial(st.id, newTrial());
      const other = await s.openStudy(spec({ name: 'other' }));
      await assert.rejects(s.renameStudy(st.id, 'other'), /"adam" to "other".*"other" already exists/);
      await assert.rejects(s.renameStudy(st.id, ''), StorageError);
      await assert.rejects(s.renameStudy(st.id + other.id + 1000, 'x'), StorageError);
      await s.renameStudy(st.id, 'adam'); // its own name: nothing to do
      await s.renameStudy(st.id, 'adam-1');
      assert.equal(await s.getStudy('adam'), null);
      const renamed = await s.getStudy('adam-1');
      assert.deepEqual([renamed?.id, renamed?.definition], [st.id, { v: 2 }]);
      assert.deepEqual((await s.trials(st.id)).map((x) => x.id), [t.id]);
      // the old name is free again: --new-study starts over under it
      const fresh = await s.openStudy(spec());
      assert.notEqual(fresh.id, st.id);
      assert.equal(fresh.definition, null);
    }));
  });
}
