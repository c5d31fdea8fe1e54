/**
 * The page's in-place live path (src/report/client/live-ops.ts) against the full one: after every kind of write a
 * sweep makes, the dashboard's real patches applied in place give the same data as applying them to a copy, the same
 * model as `buildModel` of that data, and the same changed fields as `changedFields` (so the same views redraw).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { StudyFeed } from '../../src/dashboard/feed.js';
import { liveReportData } from '../../src/dashboard/live-data.js';
import { applyPatch, type Json } from '../../src/dashboard/patch.js';
import type { ReportData } from '../../src/report/index.js';
import { changedFields } from '../../src/report/client/changes.js';
import { applyLiveOps, type DataOp } from '../../src/report/client/live-ops.js';
import { buildModel, type Model } from '../../src/report/client/model.js';
import { openStorage } from '../../src/storage/index.js';
import { tempDir } from '../helpers/cli.js';
import { seedSpace } from '../helpers/seed-study.js';

/** The model's derived fields, comparable with deepEqual. */
const facts = (m: Model) => ({ n: m.n, sign: m.sign, best: m.best, withValue: m.withValue, states: [...m.states], curves: Array.from(m.curves) });

/** One step as the page takes it: in place where live-ops takes the ops, else on a copy (as the live client does). */
function step(model: Model, ops: readonly DataOp[], what: string): { model: Model; incremental: boolean } {
  const before = structuredClone(model.data);
  const expected = applyPatch(structuredClone(before), ops as never) as unknown as ReportData;
  const out = applyLiveOps(model, ops);
  if (out === null) {
    assert.deepEqual(model.data, before, `${what}: refused ops leave the data as it was`);
    return { model: buildModel(expected), incremental: false };
  }
  assert.deepEqual(out.model.data, expected, `${what}: data`);
  assert.deepEqual(facts(out.model), facts(buildModel(expected)), `${what}: model`);
  assert.deepEqual([...out.changed].sort(), [...changedFields(before, expected)].sort(), `${what}: changed fields`);
  return { model: out.model, incremental: true };
}

test('live patches applied in place equal a full rebuild of the model after every kind of write', async () => {
  const dir = tempDir('tune-report-live-ops-');
  const file = path.join(dir, 'tune.db');
  const writer = openStorage(file);
  const reader = openStorage(file, { readonly: true });
  try {
    const study = await writer.openStudy({ name: 'lo', space: { s: 1 }, direction: 'minimize', metric: 'val_accuracy', strategy: 'asha', seed: 1 });
    await writer.setStudyDefinition(study.id, seedSpace('lo', 'asha', 9, 30));
    const rng = createRng(11);
    const params = (optimizer = 'adam') => ({ learningRate: 10 ** (-4 + 3 * rng()), units: 8 + Math.floor(rng() * 100), dropout: 0.5 * rng(), optimizer });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await writer.createTrial(study.id, { params: params(i % 2 ? 'adam' : 'sgd'), budget: 1, rung: 0, seed: i, claimBy: `host:${i % 2}` })).id);
    const feed = new StudyFeed(reader, study, liveReportData());
    let model = buildModel(structuredClone(await feed.current()) as unknown as ReportData);
    let incremental = 0;
    /** Folds the next `batch` refreshes into one op list, as the live client folds patches that arrive in one frame. */
    const pending: DataOp[] = [];
    const check = async (what: string, fold = false) => {
      const update = await feed.refresh();
      assert.ok(update !== null, `${what}: something changed`);
      pending.push(...(update.ops as readonly DataOp[]));
      if (fold) return;
      const out = step(model, pending.splice(0), what);
      model = out.model;
      if (out.incremental) incremental++;
      assert.deepEqual(model.data, await feed.current(), `${what}: the page's data is the server's`);
    };
    await writer.report(ids[0]!, 1, { val_accuracy: 0.5 }, 0.5);
    await check('an epoch of the first trial (the curve buffer after it moves)');
    for (const [i, id] of ids.entries()) await writer.report(id, i === 0 ? 2 : 1, { val_accuracy: rng() }, rng());
    await check('an epoch of every trial');
    ids.push((await writer.createTrial(study.id, { params: params(), budget: 1, rung: 0, seed: 9, claimBy: 'host:1' })).id);
    await check('a new trial, no value yet');
    await writer.report(ids[6]!, 1, { val_accuracy: Number.NaN }, Number.NaN);
    await check('a NaN epoch of the new trial');
    await writer.report(ids[6]!, 2, { val_accuracy: 0.0001 }, 0.0001);
    await check('the new trial becomes the best');
    await writer.report(ids[6]!, 3, { val_accuracy: 0.99 }, 0.99);
    await check('the best trial gets worse: the best is found again');
    for (const id of ids.slice(0, 3)) await writer.finishTrial(id, { state: 'paused', epochs: 1, checkpoint: `c${id}` });
    await writer.finishTrial(ids[3]!, { state: 'pruned', epochs: 1 });
    await writer.finishTrial(ids[4]!, { state: 'complete', epochs: 1 });
    await check('pause, prune, complete: a complete trial is best before any other');
    await writer.promoteTrial(ids[1]!, 3, 1);
    await writer.claimTrial(ids[1]!, 'host:0');
    await check('promoted and claimed', true);
    await writer.report(ids[1]!, 2, { val_accuracy: 0.9 }, 0.9);
    await check('two patches in one frame: an early row grows its curve');
    await writer.requeueTrial(ids[1]!, { countAttempt: true, error: { kind: 'exception', message: 'boom' } });
    await check('requeue');
    await writer.claimTrial(ids[1]!, 'host:7');
    await check('a new worker name (the server rebuilds and diffs)');
    ids.push((await writer.createTrial(study.id, { params: params('lion'), budget: 1, rung: 0, seed: 10, claimBy: 'host:0' })).id);
    await check('a value outside the choices grows them (the full path)');
    ids.push((await writer.createTrial(study.id, { params: params('rmsprop'), budget: 1, rung: 0, seed: 11, claimBy: 'host:0' })).id);
    await writer.report(ids.at(-1)!, 1, { val_accuracy: 0.7 }, 0.7);
    await writer.finishTrial(ids.at(-1)!, { state: 'complete', epochs: 1 });
    await check('a new trial, its epoch and its finish at once');
    assert.ok(incremental >= 9, `most steps took the in-place path (${incremental})`);
    // Ops this path doesn't track are refused untouched (step() checks), and a gap in a column too.
    assert.equal(step(model, [['len', ['trials', 'value'], 1]], 'a shrinking column').incremental, false);
    assert.equal(step(model, [['set', ['trials', 'value', model.n + 1], 1]], 'a gap').incremental, false);
    assert.equal(step(model, [['set', ['params', 0, 'choices'], null]], 'a param\'s info').incremental, false);
  } finally {
    await reader.close();
    await writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
