/**
 * Search quality and cost of the model-based strategies on closed-form test functions, without tfjs: strategies are
 * driven directly with an ask/tell loop over a pure function. Reports simple regret (best found − known optimum),
 * median and IQR over seeds, at 25, 50 and 100 trials, and the time of one `ask()` on studies of 100, 1,000 and
 * 5,000 trials. Run: `npm run bench -- search [--quick]`. Writes results/bench/search.json.
 */
import { parseArgs } from 'node:util';
import type { Params, TrialRecord } from '../../src/core/types.js';
import type { ParamSpec, SearchSpace, StrategySpec } from '../../src/space/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import type { Strategy, StrategyContext } from '../../src/strategies/types.js';
import { writeResult } from './lib/common.js';

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false } } });
const QUICK = args.quick;
const SEEDS = Array.from({ length: QUICK ? 3 : 10 }, (_, i) => i);
const CHECKPOINTS = [25, 50, 100];
const TIMING_SIZES = QUICK ? [100, 1000] : [100, 1000, 5000];

interface Problem {
  readonly name: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  readonly optimum: number;
  readonly f: (p: Params) => number;
}

const num = (p: Params, k: string): number => p[k] as number;

/** Branin–Hoo: three global minima of 0.397887 on [−5, 10] × [0, 15]. */
const branin: Problem = {
  name: 'branin',
  params: { x1: { type: 'float', min: -5, max: 10, log: false }, x2: { type: 'float', min: 0, max: 15, log: false } },
  optimum: 0.397887,
  f: (p) => {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI ** 2);
    const c = 5 / Math.PI;
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
};

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381],
];

/** Hartmann 6-D: minimum −3.32237 on [0, 1]^6. */
const hartmann6: Problem = {
  name: 'hartmann6',
  params: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i + 1}`, { type: 'float', min: 0, max: 1, log: false } as const])),
  optimum: -3.32237,
  f: (p) => {
    let s = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (num(p, `x${j + 1}`) - H_P[i]![j]! * 1e-4) ** 2;
      s += H_ALPHA[i]! * Math.exp(-inner);
    }
    return -s;
  },
};

const STRATEGIES: Readonly<Record<string, (trials: number) => StrategySpec>> = {
  random: (trials) => ({ type: 'random', trials }),
  tpe: (trials) => ({ type: 'tpe', trials, startup: 10, candidates: 24, gamma: 0.1, multivariate: true }),
  'tpe-univariate': (trials) => ({ type: 'tpe', trials, startup: 10, candidates: 24, gamma: 0.1, multivariate: false }),
};

/** A SearchSpace built in code: the bench's params (x1..x6) are not trainer params, so parseSpace would refuse them. */
function spaceFor(problem: Problem, strategy: StrategySpec, seed: number): SearchSpace {
  return {
    name: `bench-${problem.name}`,
    objective: { metric: 'val_loss', direction: 'minimize' },
    task: { data: { builtin: 'mnist' }, validationSplit: 0.2, model: { type: 'mlp', hidden: [1] }, optimizer: 'adam', epochs: 1 },
    params: problem.params,
    strategy,
    seed,
  };
}

function record(number: number, params: Params, value: number | null, state: TrialRecord['state']): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state, params, budget: 1, rung: null, bracket: null, seed: number,
    value, epochs: value === null ? 0 : 1, error: null, checkpoint: null, worker: null, attempts: 0,
    createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

/** An in-memory study: the context a strategy sees, as the tuner would build it. */
class Study {
  readonly trials: TrialRecord[] = [];
  constructor(private readonly maxTrials: number) {}
  context(): StrategyContext {
    const byId = this.trials;
    return {
      trials: this.trials,
      sign: -1,
      maxTrials: this.maxTrials,
      valueAt: (id, epoch) => (epoch === 1 ? (byId[id - 1]?.value ?? undefined) : undefined),
    };
  }
  /** One ask, then the trial evaluated and stored as complete. */
  step(strategy: Strategy, f: (p: Params) => number): number {
    const s = strategy.ask(this.context());
    if (s.kind !== 'trial') throw new Error(`expected a trial, got ${s.kind}`);
    const value = f(s.params);
    this.trials.push(record(this.trials.length, s.params, value, 'complete'));
    return value;
  }
}

/** Best value after each checkpoint's number of trials. */
function run(problem: Problem, name: string, seed: number): number[] {
  const n = Math.max(...CHECKPOINTS);
  const space = spaceFor(problem, STRATEGIES[name]!(n), seed);
  const strategy = createStrategy(space);
  const study = new Study(n);
  let best = Number.POSITIVE_INFINITY;
  const out: number[] = [];
  for (let t = 1; t <= n; t++) {
    best = Math.min(best, study.step(strategy, problem.f));
    if (CHECKPOINTS.includes(t)) out.push(best - problem.optimum);
  }
  return out;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function summary(xs: readonly number[]): { median: number; q1: number; q3: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), q1: quantile(s, 0.25), q3: quantile(s, 0.75) };
}

/**
 * ms of one ask() on a study of `size` finished trials, with a new finished trial between asks: median wall time,
 * median CPU time of the process (steadier on a shared machine), mean wall time, and the first ask (which encodes
 * every stored trial).
 */
function timeAsk(problem: Problem, name: string, size: number): { median: number; cpu: number; mean: number; first: number } {
  const asks = 60;
  const space = spaceFor(problem, STRATEGIES[name]!(size + asks + 1), 1);
  const strategy = createStrategy(space);
  const filler = createStrategy(spaceFor(problem, STRATEGIES.random!(size), 1));
  const study = new Study(size + asks + 1);
  for (let i = 0; i < size; i++) study.step(filler, problem.f);
  let t0 = performance.now();
  study.step(strategy, problem.f);
  const first = performance.now() - t0;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < asks; i++) {
    const c0 = process.cpuUsage();
    t0 = performance.now();
    const s = strategy.ask(study.context());
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    if (s.kind !== 'trial') throw new Error('expected a trial');
    study.trials.push(record(study.trials.length, s.params, problem.f(s.params), 'complete'));
  }
  return { median: summary(wall).median, cpu: summary(cpu).median, mean: wall.reduce((a, b) => a + b, 0) / asks, first };
}

const fmt = (x: number): string => (Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3));
const rows: { problem: string; strategy: string; trials: number; median: number; q1: number; q3: number }[] = [];
process.stdout.write(`simple regret over ${SEEDS.length} seeds: median [q1, q3]\n`);
process.stdout.write(`${'problem'.padEnd(10)} ${'strategy'.padEnd(15)} ${CHECKPOINTS.map((c) => `${c} trials`.padEnd(26)).join('')}\n`);
for (const problem of [branin, hartmann6]) {
  for (const name of Object.keys(STRATEGIES)) {
    const results = SEEDS.map((seed) => run(problem, name, seed));
    const cells = CHECKPOINTS.map((trials, k) => {
      const s = summary(results.map((r) => r[k]!));
      rows.push({ problem: problem.name, strategy: name, trials, ...s });
      return `${fmt(s.median)} [${fmt(s.q1)}, ${fmt(s.q3)}]`.padEnd(26);
    });
    process.stdout.write(`${problem.name.padEnd(10)} ${name.padEnd(15)} ${cells.join('')}\n`);
  }
}

const timing: { problem: string; strategy: string; trials: number; medianMs: number; cpuMs: number; meanMs: number; firstMs: number }[] = [];
process.stdout.write('\nask() on a study of N finished trials, ms: median wall / median CPU (mean wall; first ask, which encodes all)\n');
for (const problem of [branin, hartmann6]) {
  for (const name of ['tpe', 'tpe-univariate']) {
    const cells = TIMING_SIZES.map((size) => {
      const t = timeAsk(problem, name, size);
      timing.push({ problem: problem.name, strategy: name, trials: size, medianMs: t.median, cpuMs: t.cpu, meanMs: t.mean, firstMs: t.first });
      return `N=${size}: ${t.median.toFixed(3)} / ${t.cpu.toFixed(3)} (${t.mean.toFixed(2)}; ${t.first.toFixed(1)})`.padEnd(40);
    });
    process.stdout.write(`${problem.name.padEnd(10)} ${name.padEnd(15)} ${cells.join('')}\n`);
  }
}

writeResult('search', { quick: QUICK, seeds: SEEDS, regret: rows, askMs: timing });
