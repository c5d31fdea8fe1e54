/**
 * The live data path: a feed that follows a study through `changesSince` and sends patches must end where a fresh
 * full read ends, after every kind of write, while reading only what changed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import type { StudyRecord } from '../../src/core/types.js';
import { StudyFeed } from '../../src/dashboard/feed.js';
import { applyPatch, diffJson, type Json } from '../../src/dashboard/patch.js';
import { IMPORTANCE_EVERY_MS, liveReportData } from '../../src/dashboard/live-data.js';
import { loadReportData, type ReportData } from '../../src/report/index.js';
import { openStorage, type Storage } from '../../src/storage/index.js';
import { tempDir } from '../helpers/cli.js';
import { seedSpace } from '../helpers/seed-study.js';

/** Counts the calls that read a whole study, to show the feed doesn't make them after its first build. */
function counting(base: Storage): { storage: Storage; fullReads: () => number } {
  let n = 0;
  const storage = new Proxy(base, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (prop === 'trials' || prop === 'objectiveCurves' || prop === 'reports' || prop === 'leaderboard') n++;
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { storage, fullReads: () => n };
}

const withoutTime = (d: unknown) => ({ ...(d as Record<string, unknown>), generatedAt: '', seq: 0 });

describe('StudyFeed', () => {
  test('patches applied to the first full data always equal a fresh full read, through every kind of write', async () => {
    const dir = tempDir('tune-dash-feed-');
    const file = path.join(dir, 'tune.db');
    const writer = openStorage(file);
    const space = seedSpace('feed', 'asha', 9, 30);
    const study: StudyRecord = await writer.openStudy({ name: 'feed', space: { s: 1 }, direction: 'maximize', metric: 'val_accuracy', strategy: 'asha', seed: 1 });
    await writer.setStudyDefinition(study.id, space);
    const reader = openStorage(file, { readonly: true });
    const { storage, fullReads } = counting(reader);
    const feed = new StudyFeed(storage, study, (view, s) => loadReportData(view, s));
    let client = structuredClone(await feed.current()) as Json;
    const readsAfterFirst = fullReads();
    const rng = createRng(3);
    const check = async (what: string) => {
      const update = await feed.refresh();
      if (update) client = applyPatch(client, update.ops) as Json;
      const fresh = await loadReportData(reader, (await reader.getStudy('feed'))!);
      assert.deepEqual(withoutTime(client), withoutTime(fresh), what);
      assert.equal((client as { seq: number }).seq, (await reader.changesSince(study.id, 0)).seq, what);
    };
    try {
      const ids: number[] = [];
      for (let i = 0; i < 8; i++) {
        const t = await writer.createTrial(study.id, { params: { learningRate: 10 ** (-4 + 3 * rng()), units: 8 + i, dropout: 0.1, optimizer: i % 2 ? 'adam' : 'sgd' }, budget: 1, rung: 0, seed: i });
        ids.push(t.id);
        await check(`create ${i}`);
      }
      for (const [i, id] of ids.entries()) {
        await writer.claimTrial(id, `host:${i % 3}`);
        await writer.report(id, 1, { val_accuracy: rng(), val_loss: rng() }, rng());
        await writer.finishTrial(id, { state: 'paused', epochs: 1, checkpoint: `c${id}` });
      }
      await check('first rung');
      await writer.promoteTrial(ids[0]!, 3, 1);
      await writer.claimTrial(ids[0]!, 'host:9'); // a new worker name shifts the worker indices
      await check('promote and claim');
      await writer.report(ids[0]!, 2, { val_accuracy: NaN }, NaN);
      await check('a NaN epoch');
      await writer.report(ids[0]!, 3, { val_accuracy: 0.99 }, 0.99);
      await writer.requeueTrial(ids[0]!, { countAttempt: true, error: { kind: 'exception', message: 'boom' } });
      await check('requeue');
      await writer.claimTrial(ids[0]!, 'host:9');
      await writer.finishTrial(ids[0]!, { state: 'complete', epochs: 3, value: 0.99 });
      for (const id of ids.slice(1, 5)) await writer.finishTrial(id, { state: 'pruned', epochs: 1 });
      await writer.finishTrial(ids[5]!, { state: 'failed', epochs: 1, error: { kind: 'oom', message: 'out of memory' } });
      await check('finish, prune, fail');
      await writer.heartbeat([], 'host:9');
      assert.equal(await feed.refresh(), null, 'nothing changed: no update');
      assert.equal(fullReads(), readsAfterFirst, 'after the first build, only changesSince reads the database');
    } finally {
      await reader.close();
      await writer.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('diffJson and applyPatch', () => {
  const random = (rng: () => number, depth: number): Json => {
    const r = rng();
    if (depth > 3 || r < 0.3) return [null, true, Math.round(rng() * 100), 'x'.repeat(Math.floor(rng() * 80)) + String(rng())][Math.floor(rng() * 4)] ?? null;
    if (r < 0.65) return Array.from({ length: Math.floor(rng() * 5) }, () => random(rng, depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rng() * 4) }, (_, i) => [`k${Math.floor(rng() * 6)}${i}`, random(rng, depth + 1)]));
  };

  test('the patch from a to b turns a copy of a into b, for seeded random JSON', () => {
    const rng = createRng(42);
    for (let i = 0; i < 500; i++) {
      const a = random(rng, 0);
      const b = rng() < 0.2 ? structuredClone(a) : random(rng, 0);
      const ops = diffJson(a, b);
      assert.deepEqual(applyPatch(structuredClone(a), ops), b, JSON.stringify({ a, b, ops }));
      if (JSON.stringify(a) === JSON.stringify(b)) assert.deepEqual(ops, []);
    }
  });

  test('growing columns and a long string changed near its end give small patches', () => {
    const a = { n: Array.from({ length: 1000 }, (_, i) => i), s: 'A'.repeat(10_000) };
    const b = { n: [...a.n, 1000], s: `${'A'.repeat(9_990)}BBB${'A'.repeat(10)}` };
    const ops = diffJson(a, b);
    assert.deepEqual(ops, [['set', ['n', 1000], 1000], ['splice', ['s'], 9990, 9990, 'BBB']]);
    assert.ok(JSON.stringify(ops).length < 100);
  });

  test('applyPatch runs from its source text alone, as the browser gets it', () => {
    const fromSource = new Function(`return (${applyPatch.toString()});`)() as typeof applyPatch;
    const a = { x: [1, 2, 3], y: { z: 'q'.repeat(100) }, gone: 1 };
    const b = { x: [1, 5], y: { z: `${'q'.repeat(50)}r${'q'.repeat(49)}` }, w: null };
    assert.deepEqual(fromSource(structuredClone(a), diffJson(a, b)), b);
  });
});

describe('liveReportData', () => {
  test('recomputes importance only when finished trials changed and enough time passed', async () => {
    const dir = tempDir('tune-dash-imp-');
    const s = openStorage(path.join(dir, 'tune.db'));
    try {
      const space = seedSpace('imp', 'random', 2, 40);
      const st = await s.openStudy({ name: 'imp', space: { s: 1 }, direction: 'maximize', metric: 'val_accuracy', strategy: 'random', seed: 1 });
      await s.setStudyDefinition(st.id, space);
      const rng = createRng(9);
      const addFinished = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const lr = 10 ** (-4 + 3 * rng());
          const t = await s.createTrial(st.id, { params: { learningRate: lr, units: 8 + Math.floor(rng() * 100), dropout: 0.5 * rng(), optimizer: 'adam' }, budget: 2, seed: i, claimBy: 'w' });
          const v = 1 - (Math.log10(lr) + 2) ** 2;
          await s.report(t.id, 1, { val_accuracy: v }, v);
          await s.finishTrial(t.id, { state: 'complete', epochs: 1 });
        }
      };
      await addFinished(30);
      let clock = 1_000_000;
      const build = liveReportData(() => clock);
      const study = (await s.getStudy('imp'))!;
      const first = (await build(s, study)) as ReportData;
      assert.ok(first.importance !== null && first.importance.trials === 30);
      await addFinished(5);
      clock += 10; // too soon: the cached estimate is kept
      assert.equal(((await build(s, study)) as ReportData).importance?.trials, 30);
      clock += IMPORTANCE_EVERY_MS;
      assert.equal(((await build(s, study)) as ReportData).importance?.trials, 35);
      clock += IMPORTANCE_EVERY_MS; // nothing finished since: kept
      const again = (await build(s, study)) as ReportData;
      assert.equal(again.importance?.trials, 35);
    } finally {
      await s.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
