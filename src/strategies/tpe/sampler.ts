import { studyStreams } from '../../core/rng-streams.js';
import type { Params, ParamValue } from '../../core/types.js';
import { hasConditions } from '../../space/conditions.js';
import type { SearchSpace } from '../../space/types.js';
import { randomConfig } from '../sampling.js';
import type { StrategyContext } from '../types.js';
import { Encoding } from './encoding.js';
import { groupActive, paramGroups, restrictSplit, type ParamGroup } from './groups.js';
import { TpeModel, type TpeSettings } from './model.js';
import { ObservationStore } from './observations.js';
import { split } from './split.js';

export interface TpeSamplerOptions extends TpeSettings {
  /** Observations needed before the model is used; until then configs are random (randomConfig). */
  readonly startup: number;
}

/** One group of a conditional space (groups.ts) with its own store and model. */
interface GroupModel {
  readonly group: ParamGroup;
  store: ObservationStore;
  model: TpeModel;
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
  /** A conditional space's groups (groups.ts), each modelled on its own; empty for a space without conditions. */
  private readonly groups: GroupModel[];

  constructor(
    private readonly space: SearchSpace,
    private readonly options: TpeSamplerOptions,
    /** Rung budgets the multi-fidelity samplers fit models at; empty for plain TPE. */
    private readonly budgets: readonly number[] = [],
  ) {
    // A conditional space's root store is its unconditional group's: the one group every trial has.
    const groups = hasConditions(space.params) ? paramGroups(space.params) : [];
    this.encoding = groups[0]?.encoding ?? new Encoding(space.params);
    this.store = new ObservationStore(this.encoding, budgets);
    this.model = new TpeModel(this.encoding, this.store, options);
    this.groups = groups.map((group, k) => (k === 0 ? { group, store: this.store, model: this.model } : this.groupModel(group)));
  }

  private groupModel(group: ParamGroup): GroupModel {
    const store = new ObservationStore(group.encoding, this.budgets);
    return { group, store, model: new TpeModel(group.encoding, store, this.options) };
  }

  /** Coordinates TPE searches (fixed params and single-valued ranges excluded). */
  get dims(): number {
    return this.groups.length === 0 ? this.encoding.dims : this.groups.reduce((d, g) => d + g.group.encoding.dims, 0);
  }

  /** Reads new and changed trials into the model's store. */
  sync(ctx: StrategyContext): void {
    let inOrder = this.store.sync(ctx);
    for (const g of this.groups.slice(1)) inOrder = g.store.sync(ctx) && inOrder;
    if (inOrder) return;
    // A trial arrived out of number order: start over, as a fresh instance would (the model caches per store row).
    this.store = new ObservationStore(this.encoding, this.budgets);
    this.model = new TpeModel(this.encoding, this.store, this.options);
    this.store.sync(ctx);
    this.groups.forEach((g, k) => {
      this.groups[k] = k === 0 ? { group: g.group, store: this.store, model: this.model } : this.groupModel(g.group);
      if (k > 0) this.groups[k]!.store.sync(ctx);
    });
  }

  /** How many trials have a value at `budget` (every trial's furthest epoch when undefined). Call `sync` first. */
  observedAt(budget?: number): number {
    return this.store.countObserved(budget);
  }

  /** Plain TPE: random for the first `startup` observations, then the model over each trial's furthest epoch. */
  suggest(ctx: StrategyContext, index: number): Params {
    this.sync(ctx);
    if (this.dims === 0 || this.observedAt() < Math.max(1, this.options.startup)) return randomConfig(this.space, index);
    return this.fromModel(index);
  }

  /** A config from the model fitted at `budget` (or each trial's furthest epoch). Call `sync` first. */
  fromModel(index: number, budget?: number): Params {
    const s = split(this.store, this.options.gamma, budget);
    const rng = this.rng(index, 'propose');
    if (this.groups.length === 0) return this.encoding.decode(this.model.propose(s, rng));
    // A conditional space: every active group from its own estimators, in condition order (groups.ts).
    const chosen: Record<string, ParamValue> = {};
    for (const [k, g] of this.groups.entries()) {
      if (!groupActive(g.group, chosen)) continue;
      const own = k === 0 ? s : restrictSplit(s, this.store, g.store);
      const point = g.group.encoding.dims === 0 ? new Float64Array(0) : g.model.propose(own, rng);
      Object.assign(chosen, g.group.encoding.decode(point));
    }
    const ordered: Record<string, ParamValue> = {};
    for (const name of Object.keys(this.space.params)) if (chosen[name] !== undefined) ordered[name] = chosen[name];
    return ordered;
  }

  rng(index: number, purpose: string): () => number {
    return studyStreams.tpe(this.space.seed, purpose, index);
  }
}
