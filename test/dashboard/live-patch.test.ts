/**
 * The dashboard's incremental refresh (live-patch.ts): after every kind of write, the data a page holds (patches
 * applied to its first copy) and the server's own copy equal a fresh full read, and the refresh patched the last
 * data rather than rebuilding it, except where only a rebuild can say what changed (a new worker, a new category).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { StudyFeed, type BuildData } from '../../src/dashboard/feed.js';
import { liveReportData } from '../../src/dashboard/live-data.js';
import { applyPatch, type Json } from '../../src/dashboard/patch.js';
import { loadReportData, type ReportData } from '../../src/report/index.js';
import { openStorage } from '../../src/storage/index.js';
import { tempDir } from '../helpers/cli.js';
import { seedSpace } from '../helpers/seed-study.js';

const withoutTime = (d: unknown) => ({ ...(d as Record<string, unknown>), generatedAt: '', seq: 0 });

test('patched page data equals a fresh full read after every write, and most refreshes patch instead of rebuilding', async () => {
  const dir = tempDir('tune-dash-live-patch-');
  const file = path.join(dir, 'tune.db');
  const writer = openStorage(file);
  const reader = openStorage(file, { readonly: true });
  try {
    const study = await writer.openStudy({ name: 'lp', space: { s: 1 }, direction: 'maximize', metric: 'val_accuracy', strategy: 'asha', seed: 1 });
    await writer.setStudyDefinition(study.id, seedSpace('lp', 'asha', 9, 30));
    const rng = createRng(5);
    const params = (optimizer = 'adam') => ({ learningRate: 10 ** (-4 + 3 * rng()), units: 8 + Math.floor(rng() * 100), dropout: 0.5 * rng(), optimizer });
    const ids: number[] = [];
    for (let i = 0; i < 6; i++) ids.push((await writer.createTrial(study.id, { params: params(i % 2 ? 'adam' : 'sgd'), budget: 1, rung: 0, seed: i, claimBy: `host:${i % 2}` })).id);
    const live = liveReportData();
    let fullBuilds = 0;
    const build: BuildData = Object.assign(async (...a: Parameters<BuildData>) => {
      fullBuilds++;
      return live(...a);
    }, { patch: live.patch });
    const feed = new StudyFeed(reader, study, build);
    let client = structuredClone(await feed.current()) as Json;
    const check = async (what: string, rebuilds = 0) => {
      const before = fullBuilds;
      const update = await feed.refresh();
      assert.ok(update !== null, `${what}: something changed`);
      client = applyPatch(client, update.ops) as Json;
      const now = (await reader.getStudy('lp'))!;
      const fresh = await loadReportData(reader, now, { importance: (client as unknown as ReportData).importance });
      assert.deepEqual(withoutTime(client), withoutTime(fresh), what);
      assert.deepEqual(withoutTime(await feed.current()), withoutTime(fresh), `${what}: the server's copy`);
      assert.equal((client as { seq: number }).seq, (await reader.changesSince(study.id, 0)).seq, what);
      assert.equal(fullBuilds - before, rebuilds, `${what}: full rebuilds`);
    };
    await writer.report(ids[0]!, 1, { val_accuracy: 0.5 }, 0.5);
    await check('an epoch of the first trial (the whole curve buffer after it moves)');
    for (const [i, id] of ids.entries()) await writer.report(id, i === 0 ? 2 : 1, { val_accuracy: rng() }, rng());
    await check('an epoch of every trial');
    ids.push((await writer.createTrial(study.id, { params: params(), budget: 1, rung: 0, seed: 9, claimBy: 'host:1' })).id);
    await check('a new trial');
    await writer.report(ids[6]!, 1, { val_accuracy: Number.NaN }, Number.NaN);
    await check('a NaN epoch of the new trial');
    for (const id of ids.slice(0, 3)) await writer.finishTrial(id, { state: 'paused', epochs: 1, checkpoint: `c${id}` });
    await writer.finishTrial(ids[3]!, { state: 'pruned', epochs: 1 });
    await writer.finishTrial(ids[4]!, { state: 'failed', epochs: 1, error: { kind: 'oom', message: 'out of memory' } });
    await check('pause, prune, fail');
    await writer.promoteTrial(ids[1]!, 3, 1);
    await writer.claimTrial(ids[1]!, 'host:0');
    await writer.report(ids[1]!, 2, { val_accuracy: 0.9 }, 0.9);
    await check('a promoted trial resumes: an early row grows its curve');
    await writer.requeueTrial(ids[1]!, { countAttempt: true, error: { kind: 'exception', message: 'boom' } });
    await check('requeue');
    await writer.claimTrial(ids[1]!, 'host:7');
    await check('a new worker name shifts the worker indices: rebuilt', 1);
    ids.push((await writer.createTrial(study.id, { params: params('lion'), budget: 1, rung: 0, seed: 10, claimBy: 'host:0' })).id);
    await check('a value outside the choices grows them: rebuilt', 1);
    ids.push((await writer.createTrial(study.id, { params: params('rmsprop'), budget: 1, rung: 0, seed: 11, claimBy: 'host:0' })).id);
    await writer.report(ids.at(-1)!, 1, { val_accuracy: 0.7 }, 0.7);
    await writer.finishTrial(ids.at(-1)!, { state: 'complete', epochs: 1 });
    await check('a new trial, its epoch and its finish at once');
    assert.equal(await feed.refresh(), null, 'nothing changed: no update');
  } finally {
    await reader.close();
    await writer.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
