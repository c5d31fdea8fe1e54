/** The storage contract: every `Storage` implementation runs this same suite (Optuna's pytest_storages, in TS). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StorageError, StudyMismatchError } from '../../src/core/errors.js';
import type { Direction, StudySpec } from '../../src/core/types.js';
import { deleteContract } from './contract-delete.js';
import { changesContract } from './contract-changes.js';
import { fidelityContract } from './contract-fidelity.js';
import { leaseContract } from './contract-lease.js';
import { rankingContract } from './contract-ranking.js';
import { tiesContract } from './contract-ties.js';
import { sharedContract } from './contract-shared.js';
import { ISO, newTrial, runTrial, spec, storageTest, type MakeStorage } from './helpers.js';

export { newTrial, spec } from './helpers.js';

/** Registers the contract tests for one storage. `makeStorage` must return a fresh, empty storage. */
export function storageContract(name: string, makeStorage: MakeStorage): void {
  const withStorage = storageTest(makeStorage);

  describe(`Storage contract: ${name}`, () => {
    test('openStudy creates the study, and reopening returns the same record', withStorage(async (s) => {
      const a = await s.openStudy(spec());
      assert.equal(a.name, 'adam');
      assert.deepEqual(a.space, spec().space);
      assert.equal(a.direction, 'maximize');
      assert.equal(a.metric, 'val_accuracy');
      assert.equal(a.strategy, 'random');
      assert.equal(a.seed, 42);
      assert.equal(a.backend, null);
      assert.equal(a.definition, null);
      assert.match(a.createdAt, ISO);
      // same space with its keys in another order is the same space
      const reordered = { layers: { high: 4, low: 1, type: 'int' }, lr: { high: 1e-1, low: 1e-4, type: 'log-uniform' } };
      // strategy and seed may differ: the stored study wins, so a resumed sweep keeps its seed
      const b = await s.openStudy(spec({ space: reordered, strategy: 'grid', seed: 1 }));
      assert.deepEqual(b, a);
      assert.deepEqual(await s.getStudy('adam'), a);
      assert.equal(await s.getStudy('nope'), null);
      const other = await s.openStudy(spec({ name: 'other' }));
      assert.notEqual(other.id, a.id);
    }));

    test('reopening a study with another space, direction or metric throws StudyMismatchError', withStorage(async (s) => {
      await s.openStudy(spec());
      const changes: Partial<StudySpec>[] = [
        { space: { lr: { type: 'uniform', low: 0, high: 1 } } },
        { direction: 'minimize' },
        { metric: 'val_loss' },
      ];
      for (const change of changes) {
        await assert.rejects(s.openStudy(spec(change)), (e: unknown) => {
          assert.ok(e instanceof StudyMismatchError);
          assert.match(e.message, /"adam"/);
          assert.match(e.message, /another name|same space/);
          return true;
        });
      }
      assert.equal((await s.studies()).length, 1);
    }));

    test('setStudyBackend stores the backend', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      await s.setStudyBackend(st.id, 'wasm');
      assert.equal((await s.getStudy('adam'))?.backend, 'wasm');
      await assert.rejects(s.setStudyBackend(st.id + 1000, 'cpu'), StorageError);
    }));

    test('a trial round-trips every field through create, claim, report and finish', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const first = await s.createTrial(st.id, newTrial());
      const params = { lr: 0.001, layers: 3, optimizer: 'adam', batchNorm: true, dropout: false, tag: '' };
      const t = await s.createTrial(st.id, { params, budget: 9, seed: 123, rung: 1, bracket: 2, resumeOf: first.id });
      assert.equal(t.studyId, st.id);
      assert.equal(t.number, 1);
      assert.equal(t.state, 'waiting');
      for (const [k, v] of Object.entries(params)) assert.equal(typeof t.params[k], typeof v, k);
      assert.deepEqual(t.params, params);
      assert.deepEqual(
        [t.budget, t.rung, t.bracket, t.seed, t.value, t.epochs, t.error, t.checkpoint, t.worker, t.attempts],
        [9, 1, 2, 123, null, 0, null, null, null, 0],
      );
      assert.match(t.createdAt, ISO);
      assert.deepEqual([t.startedAt, t.finishedAt, t.heartbeatAt], [null, null, null]);
      assert.deepEqual(await s.trial(t.id), t);
      assert.equal(first.rung, null);
      assert.equal(first.bracket, null);

      assert.equal(await s.claimTrial(t.id, 'worker-1'), true);
      const claimed = await s.trial(t.id);
      assert.equal(claimed?.state, 'running');
      assert.equal(claimed?.worker, 'worker-1');
      assert.match(claimed?.startedAt ?? '', ISO);
      assert.match(claimed?.heartbeatAt ?? '', ISO);

      await s.report(t.id, 1, { loss: Infinity, accuracy: 0.5, val_loss: -Infinity, val_accuracy: NaN }, NaN);
      assert.ok(Number.isNaN((await s.trial(t.id))?.value));
      await s.report(t.id, 2, { loss: 1.25, val_accuracy: -Infinity }, -Infinity);
      const reported = await s.trial(t.id);
      assert.equal(reported?.value, -Infinity);
      assert.equal(reported?.epochs, 2);
      assert.deepEqual(await s.reports(t.id), [
        { trialId: t.id, epoch: 1, metrics: { accuracy: 0.5, loss: Infinity, val_accuracy: NaN, val_loss: -Infinity } },
        { trialId: t.id, epoch: 2, metrics: { loss: 1.25, val_accuracy: -Infinity } },
      ]);

      const done = await s.finishTrial(t.id, {
        state: 'failed', epochs: 3, value: Infinity, metrics: { val_accuracy: 0.25 },
        checkpoint: 'results/ckpt/1', error: { kind: 'nan', message: 'loss became NaN at epoch 3' },
      });
      assert.equal(done.state, 'failed');
      assert.equal(done.value, Infinity);
      assert.equal(done.epochs, 3);
      assert.equal(done.checkpoint, 'results/ckpt/1');
      assert.deepEqual(done.error, { kind: 'nan', message: 'loss became NaN at epoch 3' });
      assert.match(done.finishedAt ?? '', ISO);
      assert.equal(done.startedAt, claimed?.startedAt);
      assert.deepEqual(await s.trial(t.id), done);
      assert.deepEqual((await s.reports(t.id))[2], { trialId: t.id, epoch: 3, metrics: { val_accuracy: 0.25 } });
      assert.equal(await s.trial(t.id + 1000), null);
    }));

    test('a value of NaN, Infinity or -Infinity given at finish is kept exactly', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      for (const v of [NaN, Infinity, -Infinity, 0.1 + 0.2, -5e-324]) {
        const done = await runTrial(s, st.id, [], { value: v, epochs: 0 });
        assert.ok(Object.is((await s.trial(done.id))?.value, v), String(v));
      }
    }));

    test('trial numbers are sequential and unique within each study', withStorage(async (s) => {
      const a = await s.openStudy(spec());
      const b = await s.openStudy(spec({ name: 'b' }));
      for (let i = 0; i < 5; i++) await s.createTrial(a.id, newTrial());
      await s.createTrial(b.id, newTrial());
      assert.deepEqual((await s.trials(a.id)).map((t) => t.number), [0, 1, 2, 3, 4]);
      assert.deepEqual((await s.trials(b.id)).map((t) => t.number), [0]);
      await assert.rejects(s.createTrial(a.id + b.id + 1000, newTrial()), StorageError);
    }));

    test('bad input is refused before anything is written', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      await assert.rejects(s.createTrial(st.id, newTrial({ params: { lr: NaN } })), StorageError);
      await assert.rejects(s.createTrial(st.id, newTrial({ budget: -1 })), StorageError);
      await assert.rejects(s.createTrial(st.id, newTrial({ resumeOf: 999 })), StorageError);
      await assert.rejects(s.openStudy(spec({ name: '' })), StorageError);
      await assert.rejects(s.openStudy(spec({ name: 'x', direction: 'up' as Direction })), StorageError);
      assert.equal((await s.trials(st.id)).length, 0);
      assert.equal((await s.studies()).length, 1);
    }));

    test('claiming is atomic: a second claim returns false, a paused trial can be claimed again', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial());
      assert.equal(await s.claimTrial(t.id, 'a'), true);
      assert.equal(await s.claimTrial(t.id, 'b'), false);
      assert.equal((await s.trial(t.id))?.worker, 'a');
      const started = (await s.trial(t.id))?.startedAt;
      const paused = await s.finishTrial(t.id, { state: 'paused', epochs: 0, checkpoint: 'ckpt/0' });
      assert.equal(paused.state, 'paused');
      assert.equal(paused.finishedAt, null);
      assert.equal(await s.claimTrial(t.id, 'b'), true);
      const resumed = await s.trial(t.id);
      assert.equal(resumed?.worker, 'b');
      assert.equal(resumed?.startedAt, started);
      assert.equal(resumed?.checkpoint, 'ckpt/0');
      await s.finishTrial(t.id, { state: 'complete', epochs: 0 });
      assert.equal(await s.claimTrial(t.id, 'c'), false);
      assert.equal(await s.claimTrial(t.id + 1000, 'c'), false);
    }));

    test('a finished trial cannot change again, and the failed attempt leaves it untouched', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const done = await runTrial(s, st.id, [0.5, 0.75], { value: 0.75 });
      for (const state of ['complete', 'failed', 'paused', 'pruned'] as const) {
        await assert.rejects(s.finishTrial(done.id, { state, epochs: 5, value: 1 }), StorageError);
      }
      await assert.rejects(s.report(done.id, 3, { val_accuracy: 1 }, 1), StorageError);
      assert.deepEqual(await s.trial(done.id), done);
      assert.equal((await s.reports(done.id)).length, 2);
      await assert.rejects(s.finishTrial(done.id + 1000, { state: 'failed', epochs: 0 }), StorageError);
    }));

    test('a waiting trial may only fail; a paused one may not pause again without running', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial());
      await assert.rejects(s.finishTrial(t.id, { state: 'complete', epochs: 0 }), StorageError);
      await assert.rejects(s.finishTrial(t.id, { state: 'paused', epochs: 0 }), StorageError);
      await assert.rejects(s.report(t.id, 1, {}, 1), StorageError);
      const failed = await s.finishTrial(t.id, { state: 'failed', epochs: 0, error: { kind: 'worker-died', message: 'gone' } });
      assert.equal(failed.state, 'failed');
      assert.equal(failed.startedAt, null);
      const p = await s.createTrial(st.id, newTrial());
      await s.claimTrial(p.id, 'w');
      const paused = await s.finishTrial(p.id, { state: 'paused', epochs: 0, checkpoint: 'ckpt/p' });
      await assert.rejects(s.finishTrial(p.id, { state: 'paused', epochs: 0, checkpoint: 'ckpt/q' }), /paused: it can't become paused/);
      await assert.rejects(s.report(p.id, 1, { val_accuracy: 1 }, 1), StorageError);
      assert.deepEqual(await s.trial(p.id), paused);
    }));

    test('reporting the same epoch again replaces its metrics instead of duplicating them', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const t = await s.createTrial(st.id, newTrial());
      await s.claimTrial(t.id, 'w');
      await s.report(t.id, 1, { loss: 2, val_accuracy: 0.1 }, 0.1);
      await s.report(t.id, 1, { loss: 1.5, val_accuracy: 0.2 }, 0.2);
      await s.report(t.id, 2, { loss: 1, val_accuracy: 0.3 }, 0.3);
      // a late report for an earlier epoch is stored but does not move the trial back
      await s.report(t.id, 1, { loss: 1.4, val_accuracy: 0.25 }, 0.25);
      assert.deepEqual(await s.reports(t.id), [
        { trialId: t.id, epoch: 1, metrics: { loss: 1.4, val_accuracy: 0.25 } },
        { trialId: t.id, epoch: 2, metrics: { loss: 1, val_accuracy: 0.3 } },
      ]);
      const now = await s.trial(t.id);
      assert.equal(now?.epochs, 2);
      assert.equal(now?.value, 0.3);
      await assert.rejects(s.report(t.id, 0, {}, 1), StorageError);
      await assert.rejects(s.report(t.id, 1.5, {}, 1), StorageError);
    }));

    test('trials() filters by state', withStorage(async (s) => {
      const st = await s.openStudy(spec());
      const done = await runTrial(s, st.id, [0.5], {});
      const waiting = await s.createTrial(st.id, newTrial());
      assert.deepEqual((await s.trials(st.id, { states: ['waiting'] })).map((t) => t.id), [waiting.id]);
      assert.deepEqual((await s.trials(st.id, { states: ['complete', 'waiting'] })).map((t) => t.id), [done.id, waiting.id]);
      assert.deepEqual(await s.trials(st.id, { states: [] }), []);
      assert.deepEqual(await s.trials(st.id + 1000), []);
    }));

    test('studies() summarises every study, with a null best while nothing is complete', withStorage(async (s) => {
      const a = await s.openStudy(spec({ direction: 'minimize' }));
      await s.openStudy(spec({ name: 'empty' }));
      await runTrial(s, a.id, [3], {});
      await runTrial(s, a.id, [2], {});
      await runTrial(s, a.id, [1], { state: 'pruned' });
      const list = await s.studies();
      assert.deepEqual(list.map((x) => [x.study.name, x.best]), [['adam', 2], ['empty', null]]);
      assert.deepEqual(list[1]?.counts, { waiting: 0, running: 0, paused: 0, complete: 0, pruned: 0, failed: 0 });
    }));
  });
  fidelityContract(name, makeStorage);
  rankingContract(name, makeStorage);
  tiesContract(name, makeStorage);
  sharedContract(name, makeStorage);
  deleteContract(name, makeStorage);
  changesContract(name, makeStorage);
  leaseContract(name, makeStorage);
}
