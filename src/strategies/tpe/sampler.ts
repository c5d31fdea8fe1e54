import { studyStreams } from '../../core/rng-streams.js';
import type { Params } from '../../core/types.js';
import type { SearchSpace } from '../../space/types.js';
import { randomConfig } from '../sampling.js';
import type { StrategyContext } from '../types.js';
import { Encoding } from './encoding.js';
import { TpeModel, type TpeSettings } from './model.js';
import { ObservationStore } from './observations.js';
import { split } from './split.js';

export interface TpeSamplerOptions extends TpeSettings {
  /** Observations needed before the model is used; until then configs are random (randomConfig). */
  readonly startup: number;
}

/**
 * Proposes configs for the trial numbered `index`. Every draw comes from an RNG seeded by the study seed and
 * `index`, and the model is rebuilt from `ctx.trials`, so the same trials and seed give the same config, and a
 * resumed study proposes what the uninterrupted one would have.
 */
export class TpeSampler {
  private readonly encoding: Encoding;
  private store: ObservationStore;
  private model: TpeModel;

  constructor(
    private readonly space: SearchSpace,
    private readonly options: TpeSamplerOptions,
    /** Rung budgets the multi-fidelity samplers fit models at; empty for plain TPE. */
    private readonly budgets: readonly number[] = [],
  ) {
    this.encoding = new Encoding(space.params);
    this.store = new ObservationStore(this.encoding, budgets);
    this.model = new TpeModel(this.encoding, this.store, options);
  }

  /** Coordinates TPE searches (fixed params and single-valued ranges excluded). */
  get dims(): number {
    return this.encoding.dims;
  }

  /** Reads new and changed trials into the model's store. */
  sync(ctx: StrategyContext): void {
    if (this.store.sync(ctx)) return;
    // A trial arrived out of number order: start over, as a fresh instance would (the model caches per store row).
    this.store = new ObservationStore(this.encoding, this.budgets);
    this.model = new TpeModel(this.encoding, this.store, this.options);
    this.store.sync(ctx);
  }

  /** How many trials have a value at `budget` (every trial's furthest epoch when undefined). Call `sync` first. */
  observedAt(budget?: number): number {
    return this.store.countObserved(budget);
  }

  /** Plain TPE: random for the first `startup` observations, then the model over each trial's furthest epoch. */
  suggest(ctx: StrategyContext, index: number): Params {
    this.sync(ctx);
    if (this.encoding.dims === 0 || this.observedAt() < Math.max(1, this.options.startup)) return randomConfig(this.space, index);
    return this.fromModel(index);
  }

  /** A config from the model fitted at `budget` (or each trial's furthest epoch). Call `sync` first. */
  fromModel(index: number, budget?: number): Params {
    const s = split(this.store, this.options.gamma, budget);
    const point = this.model.propose(s, this.rng(index, 'propose'));
    return this.encoding.decode(point);
  }

  rng(index: number, purpose: string): () => number {
    return studyStreams.tpe(this.space.seed, purpose, index);
  }
}
