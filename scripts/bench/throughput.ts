/**
 * Training throughput (samples/s) of the mnist MLP [128, 64] per backend and batch size: a bare tfjs `model.fit`
 * loop on this thread vs the same model run as a trial through the runner (one worker), so the engine's overhead
 * shows. Also the small CNN on wasm. Run: `npm run bench -- throughput [--quick] [--samples 5000] [--epochs 2]`;
 * --quick: wasm only, batch 64, 500 samples, 1 timed epoch. Writes results/bench/throughput.json.
 * Imports tfjs directly (unlike the rest of the app outside src/execution) because the bare loop is the baseline.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { parseArgs } from 'node:util';
import { isPackageInstalled, NATIVE_PACKAGES } from '../../src/execution/backends/backend-select.js';
import { loadSplitData } from '../../src/execution/data/dataset.js';
import { createTrialRunner } from '../../src/execution/index.js';
import { registerWasmConv2DBackpropFilter } from '../../src/execution/backends/kernels/conv2d-backprop-filter.js';
import type { BackendName, TrialRunner } from '../../src/execution/types.js';
import type { ModelSpec, TaskSpec } from '../../src/space/types.js';
import { writeResult } from './lib/common.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, samples: { type: 'string' }, epochs: { type: 'string' } } });
const QUICK = values.quick;
const SAMPLES = Number(values.samples ?? (QUICK ? 500 : 5000));
const EPOCHS = Number(values.epochs ?? (QUICK ? 1 : 2));
const BATCHES = QUICK ? [64] : [32, 64, 128];
const MLP: ModelSpec = { type: 'mlp', hidden: [128, 64] };
const CNN: ModelSpec = { type: 'cnn', filters: [8, 16], kernelSize: 5, hidden: [64] };
const task = (model: ModelSpec, samples: number): TaskSpec => ({ data: { builtin: 'mnist', limit: samples }, validationSplit: 0.2, model, optimizer: 'adam', epochs: EPOCHS });

/** The same architecture in plain tfjs, trained with fit's own shuffling; the first epoch is a warm-up. */
async function bare(model: ModelSpec, samples: number, batchSize: number): Promise<number> {
  const { train } = loadSplitData(task(model, samples).data, 0.2, 1);
  const m = tf.sequential();
  if (model.type === 'mlp') {
    model.hidden.forEach((units, i) => m.add(tf.layers.dense({ ...(i === 0 ? { inputShape: [784] } : {}), units, activation: 'relu' })));
  } else {
    model.filters.forEach((filters, i) => {
      m.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: [28, 28, 1] } : {}), filters, kernelSize: model.kernelSize, padding: 'same', activation: 'relu' }));
      m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    });
    m.add(tf.layers.flatten());
    model.hidden.forEach((units) => m.add(tf.layers.dense({ units, activation: 'relu' })));
  }
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  const optimizer = tf.train.adam(0.001);
  m.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const shape = model.type === 'cnn' ? [train.count, 28, 28, 1] : [train.count, 784];
  const x = tf.tensor(train.features, shape);
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10);
  await m.fit(x, y, { batchSize, epochs: 1, verbose: 0 });
  const t0 = performance.now();
  await m.fit(x, y, { batchSize, epochs: EPOCHS, verbose: 0 });
  const rate = (train.count * EPOCHS) / ((performance.now() - t0) / 1000);
  tf.dispose([x, y]);
  m.dispose();
  optimizer.dispose();
  return rate;
}

/** The same model as a trial: samples/s while training, and end to end (build, evaluation, epoch round trips). */
async function trial(runner: TrialRunner, model: ModelSpec, samples: number, batchSize: number): Promise<{ train: number; wall: number }> {
  const t = { trialId: 0, params: { batchSize }, task: task(model, samples), budget: EPOCHS, seed: 1, splitSeed: 1, metric: 'val_accuracy' };
  await runner.run({ ...t, budget: 1 }, async () => 'continue'); // warm-up: data load, first compile
  const t0 = performance.now();
  const out = await runner.run(t, async () => 'continue');
  if (out.state !== 'complete') throw new Error(`trial ${out.state}: ${out.error?.message}`);
  const trainRows = Math.round(samples * 0.8);
  return { train: out.diagnostics?.samplesPerSecond ?? NaN, wall: (trainRows * EPOCHS) / ((performance.now() - t0) / 1000) };
}

const fmt = (n: number): string => Math.round(n).toString().padStart(7);

async function main(): Promise<void> {
  const backends: BackendName[] = QUICK ? ['wasm'] : ['wasm', 'cpu'];
  if (!QUICK && isPackageInstalled(NATIVE_PACKAGES.tensorflow)) backends.unshift('tensorflow');
  if (!QUICK && isPackageInstalled(NATIVE_PACKAGES['tensorflow-gpu'])) backends.unshift('tensorflow-gpu');
  const rows: { backend: BackendName; model: string; batch: number; bare: number; trainPerSecond: number; wallPerSecond: number; overhead: number }[] = [];
  console.log(`mnist, ${Math.round(SAMPLES * 0.8)} training rows, ${EPOCHS} timed epochs, adam; samples/s (higher is better)`);
  console.log('backend         model          batch  bare fit  trial(train)  trial(wall)  overhead');
  for (const backend of backends) {
    if (backend.startsWith('tensorflow')) await import(NATIVE_PACKAGES[backend as 'tensorflow']);
    await tf.setBackend(backend.startsWith('tensorflow') ? 'tensorflow' : backend);
    if (backend === 'wasm') registerWasmConv2DBackpropFilter();
    const runner = await createTrialRunner({ workers: 1, backend });
    try {
      const cases: [string, ModelSpec, number, number][] = BATCHES.map((b) => ['mlp [128,64]', MLP, SAMPLES, b]);
      // The CNN is ~6× slower per sample on wasm (fewer rows keep the run short) and ~100× on cpu (left out).
      if (backend !== 'cpu') cases.push(['cnn [8,16] k5', CNN, Math.min(SAMPLES, QUICK ? 300 : 2000), 32]);
      for (const [name, model, samples, batch] of cases) {
        const b = await bare(model, samples, batch);
        const t = await trial(runner, model, samples, batch);
        const overhead = `${(((b - t.wall) / b) * 100).toFixed(0)}%`.padStart(8);
        console.log(`${backend.padEnd(15)} ${name.padEnd(14)} ${String(batch).padStart(5)}  ${fmt(b)}  ${fmt(t.train)}       ${fmt(t.wall)}      ${overhead}`);
        rows.push({ backend, model: name, batch, bare: b, trainPerSecond: t.train, wallPerSecond: t.wall, overhead: (b - t.wall) / b });
      }
    } finally {
      await runner.close();
    }
  }
  writeResult('throughput', { quick: QUICK, samples: SAMPLES, epochs: EPOCHS, rows });
}

await main();
