/**
 * The coordination part of the storage contract (issue 13 §2): claims count up as fencing tokens, leases expire
 * unless renewed, any tuner requeues expired trials once, and a stale holder's writes are refused and change nothing.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, LeaseLostError, StorageError } from '../../src/core/errors.js';
import type { Fence, Storage } from '../../src/storage/types.js';
import { newTrial, spec, storageTest, type MakeStorage } from './helpers.js';

const LONG = 600_000; // a lease that can't expire during a test
const SHORT = 40; // one that has expired after sleep(SHORT * 3)

const isLeaseLost = (e: unknown): boolean => e instanceof LeaseLostError && e instanceof ConflictError && e.code === 'lease-lost';

/** A running trial claimed by `worker` with `leaseMs`, and its fence. */
async function claimed(s: Storage, study: number, worker: string, leaseMs: number) {
  const t = await s.createTrial(study, newTrial({ budget: 3 }));
  const held = await s.acquireTrial(t.id, worker, leaseMs);
  assert.ok(held);
  const fence: Fence = { worker, claim: held.claims ?? 0 };
  return { trial: held, fence };
}

export function leaseContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract, leases and fencing: ${name}`, () => {
    test('acquireTrial returns the claimed trial with its claim count and lease; a second claim gets null', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial());
      assert.equal(t.claims, 0);
      assert.equal(t.leaseMs, null);
      const a = await s.acquireTrial(t.id, 'a', 5000);
      assert.deepEqual([a?.state, a?.worker, a?.claims, a?.leaseMs], ['running', 'a', 1, 5000]);
      assert.deepEqual(await s.trial(t.id), a);
      assert.equal(await s.acquireTrial(t.id, 'b', 5000), null);
      assert.equal(await s.acquireTrial(t.id + 1000, 'b'), null);
      await s.requeueTrial(t.id, { countAttempt: false });
      const b = await s.acquireTrial(t.id, 'b');
      assert.deepEqual([b?.worker, b?.claims, b?.leaseMs], ['b', 2, null], 'each claim counts; no lease without one');
      for (const bad of [0, -1, 1.5, NaN]) await assert.rejects(s.acquireTrial(t.id, 'c', bad), StorageError);
      const onCreate = await s.createTrial(st.id, newTrial({ claimBy: 'c', leaseMs: 700 }));
      assert.deepEqual([onCreate.state, onCreate.claims, onCreate.leaseMs], ['running', 1, 700]);
    }));

    test('a fenced report, finish or requeue from the holder goes through', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const { trial, fence } = await claimed(s, st.id, 'a', LONG);
      await s.report(trial.id, 1, { val_accuracy: 0.5 }, 0.5, fence);
      const requeued = await s.requeueTrial(trial.id, { countAttempt: true, error: { kind: 'exception', message: 'x' }, fence });
      assert.deepEqual([requeued.state, requeued.worker, requeued.claims], ['waiting', null, 1]);
      const again = await s.acquireTrial(trial.id, 'a', LONG);
      const done = await s.finishTrial(trial.id, { state: 'complete', epochs: 3, value: 0.9 }, { worker: 'a', claim: again?.claims ?? 0 });
      assert.equal(done.state, 'complete');
    }));

    test('a stale holder (requeued, then claimed by another) is refused with LeaseLostError and changes nothing', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const { trial, fence } = await claimed(s, st.id, 'zombie', LONG);
      await s.report(trial.id, 1, { val_accuracy: 0.1 }, 0.1, fence);
      await s.requeueTrial(trial.id, { countAttempt: false }); // its lease was taken away
      const waiting = await s.trial(trial.id);
      // while it waits, the old holder can't write
      await assert.rejects(s.report(trial.id, 2, { val_accuracy: 0.2 }, 0.2, fence), isLeaseLost);
      await assert.rejects(s.finishTrial(trial.id, { state: 'complete', epochs: 3, value: 0.3 }, fence), isLeaseLost);
      await assert.rejects(s.requeueTrial(trial.id, { countAttempt: true, fence }), isLeaseLost);
      assert.deepEqual(await s.trial(trial.id), waiting);

      const fresh = await s.acquireTrial(trial.id, 'fresh', LONG);
      assert.equal(fresh?.claims, 2);
      await s.report(trial.id, 2, { val_accuracy: 0.6 }, 0.6, { worker: 'fresh', claim: 2 });
      const before = { trial: await s.trial(trial.id), reports: await s.reports(trial.id) };
      // the same worker name with the old claim is stale too: the claim number is the token
      for (const f of [fence, { worker: 'zombie', claim: 2 }, { worker: 'fresh', claim: 1 }]) {
        await assert.rejects(s.report(trial.id, 2, { val_accuracy: 0.2 }, 0.2, f), (e: unknown) => {
          assert.ok(isLeaseLost(e), String(e));
          assert.match((e as Error).message, new RegExp(`trial ${trial.id}.*refused`));
          return true;
        });
        await assert.rejects(s.finishTrial(trial.id, { state: 'failed', epochs: 2 }, f), isLeaseLost);
      }
      assert.deepEqual({ trial: await s.trial(trial.id), reports: await s.reports(trial.id) }, before);
      await s.finishTrial(trial.id, { state: 'complete', epochs: 3, value: 0.7 }, { worker: 'fresh', claim: 2 });
      // finished: a fenced write is a lost lease, not a second finish
      await assert.rejects(s.finishTrial(trial.id, { state: 'complete', epochs: 3 }, { worker: 'fresh', claim: 2 }), isLeaseLost);
      await assert.rejects(s.report(trial.id, 1, { val_accuracy: 0 }, 0, { worker: 'w', claim: 0 }), StorageError, 'a claim is >= 1');
    }));

    test('heartbeat renews the leases of the worker\'s running trials and says which it still holds', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const mine = await claimed(s, st.id, 'me', SHORT);
      const other = await claimed(s, st.id, 'other', LONG);
      const lost = await claimed(s, st.id, 'me', LONG);
      await s.requeueTrial(lost.trial.id, { countAttempt: false });
      await sleep(5);
      const renewed = await s.heartbeat([lost.trial.id, mine.trial.id, other.trial.id, 9999], 'me');
      assert.deepEqual(renewed, [mine.trial.id]);
      assert.ok(((await s.trial(mine.trial.id))?.heartbeatAt ?? '') > (mine.trial.heartbeatAt ?? ''));
      assert.deepEqual(await s.heartbeat([], 'me'), []);
      // kept alive past several lease lengths by heartbeats, it never expires
      for (let i = 0; i < 4; i++) {
        await sleep(SHORT / 4);
        assert.deepEqual(await s.heartbeat([mine.trial.id], 'me'), [mine.trial.id]);
        assert.deepEqual(await s.requeueExpired(st.id), []);
      }
    }));

    test('requeueExpired requeues running trials whose lease ran out, once, and leaves the rest alone', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const dead = await claimed(s, st.id, 'dead', SHORT);
      await s.report(dead.trial.id, 1, { val_accuracy: 0.4 }, 0.4, dead.fence);
      const alive = await claimed(s, st.id, 'alive', LONG);
      const noLease = await claimed(s, st.id, 'asktell', LONG).then(async (c) => {
        await s.requeueTrial(c.trial.id, { countAttempt: false });
        return s.acquireTrial(c.trial.id, 'asktell');
      });
      const waiting = await s.createTrial(st.id, newTrial());
      const other = await s.openStudy(spec({ name: 'other' }));
      const elsewhere = await claimed(s, other.id, 'dead', SHORT);
      await sleep(SHORT * 3);

      const requeued = await s.requeueExpired(st.id);
      assert.deepEqual(requeued.map((t) => [t.id, t.state, t.worker, t.epochs, t.claims, t.attempts]), [[dead.trial.id, 'waiting', null, 1, 1, 0]]);
      assert.deepEqual((await s.trial(dead.trial.id))?.state, 'waiting');
      assert.deepEqual(await s.requeueExpired(st.id), [], 'a second call finds nothing');
      assert.equal((await s.trial(alive.trial.id))?.state, 'running');
      assert.equal((await s.trial(noLease?.id ?? -1))?.state, 'running', 'no lease, no expiry');
      assert.equal((await s.trial(waiting.id))?.state, 'waiting');
      assert.equal((await s.trial(elsewhere.trial.id))?.state, 'running', 'another study is not touched');
      await assert.rejects(s.report(dead.trial.id, 2, { val_accuracy: 0.5 }, 0.5, dead.fence), isLeaseLost);
      assert.equal((await s.reports(dead.trial.id)).length, 1);
      await assert.rejects(s.requeueExpired(st.id + 1000), StorageError);
    }));

    test('two tuners requeue the same expired trials at once: each once', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push((await claimed(s, st.id, `w${i}`, SHORT)).trial.id);
      await sleep(SHORT * 3);
      const [a, b] = await Promise.all([s.requeueExpired(st.id), s.requeueExpired(st.id)]);
      assert.deepEqual([...a, ...b].map((t) => t.id).sort((x, y) => x - y), ids);
    }));
  });
}
