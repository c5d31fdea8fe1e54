/**
 * Pins what a seeded study proposes. A stored study reproduces only while every RNG stream keeps its name and
 * derivation, so these values were computed once from the code and must never change silently: a failure here
 * means a change would make stored studies propose other trials than they did.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { studyStreams, trialStreams } from '../../src/core/rng-streams.js';
import { studySpec } from '../../src/engine/run-sweep.js';
import { runTrials } from '../../src/engine/sweep.js';
import type { SearchSpace } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy } from '../../src/strategies/index.js';
import { MemoryCheckpointStore } from '../../src/execution/index.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { space } from '../helpers/records.js';

const MIXED: SearchSpace['params'] = {
  learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
  units: { type: 'int', min: 16, max: 128, log: false, step: 16 },
  batchSize: { type: 'categorical', values: [32, 64, 128] },
};

/** The stored trials of a whole sweep, one trial at a time so the order is fixed. */
async function proposed(s: SearchSpace, maxTrials: number): Promise<unknown[]> {
  const storage = openStorage(':memory:');
  try {
    const study = await storage.openStudy(studySpec(s));
    await runTrials({ space: s, study, storage, runner: new FakeRunner(), strategy: createStrategy(s), workers: 1, maxTrials, checkpoints: new MemoryCheckpointStore() });
    return (await storage.trials(study.id)).map((t) => ({ number: t.number, seed: t.seed, params: t.params }));
  } finally {
    await storage.close();
  }
}

test('a seeded random study proposes the same first trials, with the same trial seeds', async () => {
  const s = space({ params: MIXED, strategy: { type: 'random', trials: 5 }, seed: 7 });
  assert.deepEqual(await proposed(s, 5), [
    { number: 0, seed: 961944804, params: { batchSize: 32, learningRate: 0.0014648812426103568, units: 128 } },
    { number: 1, seed: 131073490, params: { batchSize: 32, learningRate: 0.0466384669441971, units: 32 } },
    { number: 2, seed: 1615497440, params: { batchSize: 128, learningRate: 0.004494507620790733, units: 96 } },
    { number: 3, seed: 933249295, params: { batchSize: 128, learningRate: 0.05107858692214827, units: 80 } },
    { number: 4, seed: 2041089067, params: { batchSize: 128, learningRate: 0.014886470714037396, units: 64 } },
  ]);
});

test('a seeded grid study visits the points in the same order', async () => {
  const params: SearchSpace['params'] = {
    learningRate: { type: 'categorical', values: [0.001, 0.01, 0.1] },
    batchSize: { type: 'categorical', values: [32, 64] },
  };
  const s = space({ params, strategy: { type: 'grid' }, seed: 11 });
  assert.deepEqual(await proposed(s, 6), [
    { number: 0, seed: 691120148, params: { batchSize: 64, learningRate: 0.01 } },
    { number: 1, seed: 1546836862, params: { batchSize: 32, learningRate: 0.1 } },
    { number: 2, seed: 295444527, params: { batchSize: 32, learningRate: 0.01 } },
    { number: 3, seed: 1004471214, params: { batchSize: 32, learningRate: 0.001 } },
    { number: 4, seed: 1577496539, params: { batchSize: 64, learningRate: 0.1 } },
    { number: 5, seed: 1680022150, params: { batchSize: 64, learningRate: 0.001 } },
  ]);
});

test('a seeded TPE study proposes the same startup and model-based trials', async () => {
  const s = space({ params: MIXED, strategy: { type: 'tpe', trials: 7, startup: 3, candidates: 24, gamma: 0.1, multivariate: true }, seed: 5 });
  assert.deepEqual(await proposed(s, 7), [
    { number: 0, seed: 2089977159, params: { batchSize: 32, learningRate: 0.00954894469414394, units: 112 } },
    { number: 1, seed: 981242719, params: { batchSize: 32, learningRate: 0.00044205955912273223, units: 32 } },
    { number: 2, seed: 1343216159, params: { batchSize: 128, learningRate: 0.00020898936766073015, units: 112 } },
    { number: 3, seed: 1251832638, params: { batchSize: 32, learningRate: 0.012562948383575835, units: 112 } },
    { number: 4, seed: 2047481545, params: { batchSize: 128, learningRate: 0.01349070407618446, units: 112 } },
    { number: 5, seed: 1941950051, params: { batchSize: 64, learningRate: 0.026636280567399685, units: 48 } },
    { number: 6, seed: 614749605, params: { batchSize: 32, learningRate: 0.0018044803564270374, units: 80 } },
  ]);
});

test('every named stream derives the same seeds and first draws as before it was named', () => {
  const s = 1234;
  assert.equal(studyStreams.trialSeed(s, 3), 723288495);
  assert.equal(studyStreams.params(s, 3)(), createRng(1678476429)());
  assert.equal(studyStreams.tpe(s, 'propose', 3)(), createRng(109537971)());
  assert.equal(studyStreams.gridOrder(s)(), 0.09889519005082548);
  assert.equal(studyStreams.split(s)(), 0.3225458732340485);
  assert.equal(trialStreams.layerInit(s, 'dense-1'), 551682012);
  assert.equal(trialStreams.layerInit(s, 'conv-0'), 1523401376);
  assert.equal(trialStreams.layerInit(s, 'output'), 1781872584);
  assert.equal(trialStreams.dropout(s, 0), 1015211419);
  assert.equal(trialStreams.dropoutStart(s)(), 0.3225458732340485);
  assert.equal(trialStreams.dropoutEpoch(s, 2)(), createRng(864111912)());
  assert.equal(trialStreams.epochShuffle(s, 2)(), 0.5605096609797329);
});
