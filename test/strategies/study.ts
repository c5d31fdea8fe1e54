import type { Params, TrialRecord, TrialState } from '../../src/core/types.js';
import type { ParamSpec, SearchSpace, StrategySpec } from '../../src/space/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import type { Strategy, StrategyContext, Suggestion } from '../../src/strategies/types.js';

/** A space built in code (strategies see only `params`), so tests may use any param names. */
export function codeSpace(params: Readonly<Record<string, ParamSpec>>, strategy: StrategySpec, seed = 0, direction: 'minimize' | 'maximize' = 'minimize'): SearchSpace {
  return {
    name: 'code',
    objective: { metric: 'val_loss', direction },
    task: { data: { builtin: 'mnist' }, validationSplit: 0.2, model: { type: 'mlp', hidden: [1] }, optimizer: 'adam', epochs: 1 },
    params,
    strategy,
    seed,
  };
}

export function trial(number: number, params: Params, state: TrialState, value: number | null, epochs = value === null ? 0 : 1): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state, params, budget: 1, rung: null, bracket: null, seed: number,
    value, epochs, error: state === 'failed' ? { kind: 'nan', message: 'diverged' } : null, checkpoint: null, worker: null, attempts: 0,
    createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

/** An in-memory study with single-epoch trials, driven by ask/tell over a pure objective. */
export class MemoryStudy {
  readonly trials: TrialRecord[] = [];
  constructor(
    readonly strategy: Strategy,
    private readonly sign: 1 | -1 = -1,
    private readonly maxTrials = 1_000_000,
  ) {}

  static of(space: SearchSpace): MemoryStudy {
    return new MemoryStudy(createStrategy(space), space.objective.direction === 'maximize' ? 1 : -1);
  }

  context(): StrategyContext {
    const trials = this.trials;
    return { trials, sign: this.sign, maxTrials: this.maxTrials, valueAt: (id, epoch) => (epoch === 1 ? (trials[id - 1]?.value ?? undefined) : undefined) };
  }

  ask(): Suggestion {
    return this.strategy.ask(this.context());
  }

  /** Asks for a config; stores it as running (`f` undefined) or complete with f(params). */
  step(f?: (p: Params) => number): Params {
    const s = this.ask();
    if (s.kind !== 'trial') throw new Error(`expected a trial, got ${s.kind}`);
    const n = this.trials.length;
    this.trials.push(f === undefined ? trial(n, s.params, 'running', null) : trial(n, s.params, 'complete', f(s.params)));
    return s.params;
  }

  /** Runs `n` trials of `f`; returns the lowest value seen (the tests minimise). */
  run(n: number, f: (p: Params) => number): number {
    for (let i = 0; i < n; i++) this.step(f);
    return Math.min(...this.trials.map((t) => t.value ?? Number.POSITIVE_INFINITY));
  }
}

/** Branin–Hoo on x1 ∈ [−5, 10], x2 ∈ [0, 15]; minimum 0.397887. */
export const BRANIN = {
  params: { x1: { type: 'float', min: -5, max: 10, log: false }, x2: { type: 'float', min: 0, max: 15, log: false } } as const,
  optimum: 0.397887,
  f: (p: Params): number => {
    const x1 = p.x1 as number;
    const x2 = p.x2 as number;
    return (x2 - (5.1 / (4 * Math.PI ** 2)) * x1 * x1 + (5 / Math.PI) * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
  },
};

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
