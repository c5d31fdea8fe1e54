/**
 * How busy the workers are during a multi-fidelity sweep of a small real task (mnist, 1,000 rows, MLP [32], wasm):
 * a 40-config ASHA sweep and a 27-config successive-halving sweep (η 3, 1 → 9 epochs), with 1 worker and with
 * --workers (default 2). A worker is busy from a trial's start event to its end event; the worker is the thread id
 * in the outcome's diagnostics. "training" counts only the training steps the worker timed (no evaluation, data
 * loading, checkpoints or round trips). Fractions are of the sweep's wall time, first trial start to last trial end.
 * Run: `npm run bench -- utilisation [--quick] [--workers 2]`. Writes results/bench/utilisation.json.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TrialOutcome } from '../../src/core/types.js';
import { runSweep } from '../../src/engine/index.js';
import type { ExecutionOutcome } from '../../src/execution/index.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';
import { fmt, pct, printTable, tempDir, writeResult } from './lib/common.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, workers: { type: 'string', default: '2' } } });
const QUICK = args.quick;
const WORKERS = Number(args.workers);
const TARGET_BUSY = 0.9;
const fidelity = { eta: 3, minEpochs: 1, maxEpochs: QUICK ? 3 : 9 };
const STRATEGIES: Readonly<Record<string, StrategySpec>> = {
  asha: { type: 'asha', trials: QUICK ? 8 : 40, ...fidelity },
  'successive-halving': { type: 'successive-halving', trials: QUICK ? 9 : 27, ...fidelity },
};

function space(name: string, strategy: StrategySpec): SearchSpace {
  return {
    name: `utilisation-${name}`,
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    task: { data: { builtin: 'mnist', limit: QUICK ? 400 : 1000 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [32] }, optimizer: 'adam', epochs: fidelity.maxEpochs },
    params: {
      learningRate: { type: 'float', min: 0.0003, max: 0.03, log: true },
      batchSize: { type: 'categorical', values: [32, 64] },
    },
    strategy,
    seed: 7,
  };
}

/** The runner's outcome carries diagnostics; an outcome the engine made itself (a strategy's prune) has none. */
const diagnosticsOf = (outcome: TrialOutcome): ExecutionOutcome['diagnostics'] => (outcome as ExecutionOutcome).diagnostics;

interface WorkerUse {
  readonly threadId: number;
  readonly runs: number;
  readonly busy: number;
  readonly training: number;
}

interface Row {
  readonly strategy: string;
  readonly workers: number;
  readonly configs: number;
  /** Trial runs on a worker: a promoted config runs again from its checkpoint. */
  readonly runs: number;
  readonly epochs: number;
  readonly wallS: number;
  readonly startupS: number;
  readonly epochsPerSecond: number;
  /** Per worker thread, in order of first use. */
  readonly perWorker: readonly WorkerUse[];
  /** Sum of busy time over workers × wall. */
  readonly busy: number;
  readonly training: number;
}

async function measure(name: string, strategy: StrategySpec, workers: number): Promise<Row> {
  const started = new Map<number, number>();
  const use = new Map<number, { runs: number; busyMs: number; trainS: number }>();
  let firstStart = Number.NaN;
  let lastEnd = Number.NaN;
  let epochs = 0;
  let untracked = 0;
  const t0 = performance.now();
  const result = await runSweep(space(name, strategy), {
    storage: join(tempDir('utilisation'), 'tune.db'),
    workers,
    backend: 'wasm',
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === 'trial-start') {
        if (Number.isNaN(firstStart)) firstStart = now;
        started.set(e.trial.id, now);
      } else if (e.type === 'epoch') {
        epochs++;
      } else if (e.type === 'trial-end') {
        const start = started.get(e.trial.id);
        started.delete(e.trial.id);
        if (start === undefined) return; // pruned by the strategy while paused: no worker ran anything
        lastEnd = now;
        const d = diagnosticsOf(e.outcome);
        if (d === undefined) {
          untracked++;
          return;
        }
        const u = use.get(d.threadId) ?? { runs: 0, busyMs: 0, trainS: 0 };
        use.set(d.threadId, { runs: u.runs + 1, busyMs: u.busyMs + (now - start), trainS: u.trainS + d.trainSeconds });
      }
    },
  });
  if (untracked > 0) throw new Error(`${untracked} trial outcome(s) came without diagnostics: the worker is unknown`);
  const wallMs = lastEnd - firstStart;
  const perWorker = [...use].map(([threadId, u]) => ({ threadId, runs: u.runs, busy: u.busyMs / wallMs, training: (u.trainS * 1000) / wallMs }));
  const sum = (f: (u: WorkerUse) => number): number => perWorker.reduce((a, u) => a + f(u), 0);
  return {
    strategy: name,
    workers,
    configs: result.trials.length,
    runs: sum((u) => u.runs),
    epochs,
    wallS: wallMs / 1000,
    startupS: (firstStart - t0) / 1000,
    epochsPerSecond: epochs / (wallMs / 1000),
    perWorker,
    busy: sum((u) => u.busy) / workers,
    training: sum((u) => u.training) / workers,
  };
}

const rows: Row[] = [];
const speedups: { strategy: string; workers: number; wall: number; epochsPerSecond: number }[] = [];
for (const [name, strategy] of Object.entries(STRATEGIES)) {
  const one = await measure(name, strategy, 1);
  const many = await measure(name, strategy, WORKERS);
  rows.push(one, many);
  speedups.push({ strategy: name, workers: WORKERS, wall: one.wallS / many.wallS, epochsPerSecond: many.epochsPerSecond / one.epochsPerSecond });
}

process.stdout.write(`mnist ${QUICK ? 400 : 1000} rows, MLP [32], wasm, η 3, 1 → ${fidelity.maxEpochs} epochs; busy = trial start → end on that worker, as a share of wall; a worker replaced by recycling (every 50 trained models) shows as a new thread\n`);
printTable(
  ['strategy', 'workers', 'configs', 'runs', 'epochs', 'wall s', 'epochs/s', 'busy per worker thread (runs)', 'busy', 'training', 'start-up s'],
  rows.map((r) => [
    r.strategy, String(r.workers), String(r.configs), String(r.runs), String(r.epochs), fmt(r.wallS), fmt(r.epochsPerSecond),
    r.perWorker.map((u) => `${pct(u.busy)} (${u.runs})`).join(', '), pct(r.busy), pct(r.training), fmt(r.startupS, 2),
  ]),
);
process.stdout.write(`\nspeed-up of ${WORKERS} workers over 1\n`);
printTable(
  ['strategy', 'wall time', 'epochs/s'],
  speedups.map((s) => [s.strategy, `${s.wall.toFixed(2)}×`, `${s.epochsPerSecond.toFixed(2)}×`]),
);
const asha = rows.find((r) => r.strategy === 'asha' && r.workers === WORKERS)!;
process.stdout.write(`\ntarget: ASHA with ${WORKERS} workers ≥ ${pct(TARGET_BUSY)} busy: ${pct(asha.busy)}, ${asha.busy >= TARGET_BUSY ? 'met' : 'NOT met'}\n`);
writeResult('utilisation', { quick: QUICK, targetBusy: TARGET_BUSY, rows, speedups });
