/**
 * Memory over consecutive trials in one wasm worker (tiny mnist trials: 300 rows, MLP [16], 1 epoch, batch sizes and
 * learning rates varying): the process RSS (all threads), the main thread's heap, the worker's heap after a full GC,
 * its wasm heap, and the worker's tfjs tensor count after each trial. Each series gets a least-squares slope against
 * the trial index (after a warm-up), once with recycling off and once with the default recycling.
 * Run: `npm run bench -- memory [--quick] [--trials 200]`. Writes results/bench/memory.json.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { createTrialRunner, DEFAULT_RECYCLE_AFTER, type ExecutionOutcome } from '../../src/execution/index.js';
import type { TrialTask } from '../../src/execution/types.js';
import type { TaskSpec } from '../../src/space/types.js';
import type { WorkerMemory } from './fixtures/memory-worker.js';
import { fmt, linearFit, MB, mean, printTable, writeResult } from './lib/common.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, trials: { type: 'string' } } });
const QUICK = args.quick;
const TRIALS = Number(args.trials ?? (QUICK ? 30 : 200));
/** Trials left out of the fits: loading tfjs, the data set and the first kernels grows memory once. */
const WARMUP = Math.min(20, Math.floor(TRIALS / 5));
/** A series is flat when its fitted growth over 100 trials is under this share of its mean (or it is integer and unchanged). */
const FLAT_SHARE = 0.02;
const WORKER = new URL('./fixtures/memory-worker.ts', import.meta.url);
const TASK: TaskSpec = { data: { builtin: 'mnist', limit: 300 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [16] }, optimizer: 'adam', epochs: 1 };

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface Sample {
  readonly rss: number;
  readonly mainHeap: number;
  readonly workerHeap: number;
  readonly wasmHeap: number;
  readonly tensors: number;
  readonly leaked: number;
  readonly threadId: number;
}

const memoryOf = (o: ExecutionOutcome): WorkerMemory | undefined => (o as ExecutionOutcome & { workerMemory?: WorkerMemory }).workerMemory;

async function sampleRun(recycleAfter: number): Promise<Sample[]> {
  const runner = await createTrialRunner({ workers: 1, backend: 'wasm', recycleAfter, workerEntry: WORKER });
  const samples: Sample[] = [];
  try {
    for (let i = 0; i < TRIALS; i++) {
      const task: TrialTask = {
        trialId: i + 1, params: { batchSize: [16, 32, 64][i % 3]!, learningRate: 0.001 * (1 + (i % 7)) }, task: TASK,
        budget: 1, seed: i, splitSeed: 1, metric: 'val_accuracy',
      };
      const outcome = await runner.run(task, async () => 'continue');
      if (outcome.state !== 'complete') throw new Error(`trial ${i + 1} ${outcome.state}: ${outcome.error?.message}`);
      const d = outcome.diagnostics;
      const w = memoryOf(outcome);
      if (d === undefined || w === undefined) throw new Error('the outcome has no diagnostics or worker memory');
      gc();
      const m = process.memoryUsage();
      samples.push({
        rss: m.rss / MB, mainHeap: m.heapUsed / MB, workerHeap: w.heapUsed / MB, wasmHeap: (w.wasmHeap ?? 0) / MB,
        tensors: d.tensorsAfter, leaked: d.tensorsAfter - d.tensorsBefore, threadId: d.threadId,
      });
    }
  } finally {
    await runner.close();
  }
  return samples;
}

const SERIES = [
  ['process RSS (MB)', 'rss'],
  ['main heap (MB)', 'mainHeap'],
  ['worker heap (MB)', 'workerHeap'],
  ['worker wasm heap (MB)', 'wasmHeap'],
  ['tensors after trial', 'tensors'],
] as const;

interface Fit {
  readonly mode: string;
  readonly series: string;
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  readonly slopePer100: number;
  readonly flat: boolean;
}

function fits(mode: string, samples: readonly Sample[]): Fit[] {
  const kept = samples.slice(WARMUP);
  const xs = kept.map((_, i) => WARMUP + i + 1);
  return SERIES.map(([series, key]) => {
    const ys = kept.map((s) => s[key]);
    const slopePer100 = linearFit(xs, ys).slope * 100;
    const level = Math.abs(mean(ys));
    const unchanged = ys.every((y) => y === ys[0]);
    return {
      mode, series, first: ys[0]!, last: ys[ys.length - 1]!, min: Math.min(...ys), max: Math.max(...ys), slopePer100,
      flat: unchanged || slopePer100 <= FLAT_SHARE * level,
    };
  });
}

const modes: [string, number][] = [['recycling off', 1_000_000], [`recycling every ${DEFAULT_RECYCLE_AFTER} (default)`, DEFAULT_RECYCLE_AFTER]];
const results: { mode: string; recycleAfter: number; workers: number; leakedTrials: number; samples: Sample[] }[] = [];
const rows: Fit[] = [];
for (const [mode, recycleAfter] of modes) {
  const samples = await sampleRun(recycleAfter);
  results.push({ mode, recycleAfter, workers: new Set(samples.map((s) => s.threadId)).size, leakedTrials: samples.filter((s) => s.leaked !== 0).length, samples });
  rows.push(...fits(mode, samples));
}

process.stdout.write(`${TRIALS} trials in one wasm worker (mnist 300 rows, MLP [16], 1 epoch); fits over trials ${WARMUP + 1}–${TRIALS}; flat: slope ≤ ${FLAT_SHARE * 100}% of the mean per 100 trials\n`);
printTable(
  ['mode', 'series', `trial ${WARMUP + 1}`, `trial ${TRIALS}`, 'min–max', 'slope per 100 trials', 'flat'],
  rows.map((r) => [r.mode, r.series, fmt(r.first), fmt(r.last), `${fmt(r.min)}–${fmt(r.max)}`, fmt(r.slopePer100), r.flat ? 'yes' : 'NO']),
);
for (const r of results) process.stdout.write(`${r.mode}: ${r.workers} worker thread(s) used; trials whose tensor count changed: ${r.leakedTrials}\n`);
const allFlat = rows.every((r) => r.flat) && results.every((r) => r.leakedTrials === 0);
const verdict = QUICK ? 'not judged (--quick runs too few trials for a trend)' : allFlat ? 'met' : 'NOT met';
process.stdout.write(`\ntarget: flat (no growth trend) in every series and mode: ${verdict}\n`);
writeResult('memory', { quick: QUICK, trials: TRIALS, warmup: WARMUP, flatShare: FLAT_SHARE, fits: rows, runs: results });
