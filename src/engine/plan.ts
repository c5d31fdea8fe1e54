import { TuneError } from '../core/errors.js';
import type { ParamValue } from '../core/types.js';
import { architectureDefaults, resolveHyperparams } from '../execution/index.js';
import { gridSize, isFidelityStrategy, rungBudgets } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { defaultTrialCount, hyperbandBrackets } from '../strategies/index.js';

/** One bracket of a plan: `configs` start at the first rung; the budgets are each rung's epochs. */
export interface PlannedBracket {
  readonly configs: number;
  readonly budgets: readonly number[];
}

/** What a sweep will do before it runs: for `tune check`, and for the ETA of the live status table. */
export interface SweepPlan {
  /** Configs the strategy starts (the study's trial cap, stored trials included). */
  readonly trials: number;
  /** Points of the params' grid, or null with the reason they can't be enumerated. */
  readonly grid: { readonly size: number } | { readonly size: null; readonly reason: string };
  /** The rung ladder of a multi-fidelity strategy (epochs per rung), or null. */
  readonly rungs: readonly number[] | null;
  /** Successive-halving brackets in the order they run (one for SHA and ASHA, several for Hyperband and BOHB). */
  readonly brackets: readonly PlannedBracket[];
  /** Epochs the whole sweep trains, over all trials. */
  readonly epochBudget: number;
  /** False for ASHA, whose promotions depend on the order results arrive: the budget is what synchronous halving would train. */
  readonly exact: boolean;
}

/**
 * Epochs one successive-halving bracket trains (Jamieson & Talwalkar 2016): n_0 configs at r_0, then ⌊n_k/η⌋ promoted
 * to r_{k+1}. A promoted trial continues from its checkpoint, so it trains only r_{k+1} − r_k more epochs.
 */
function bracketEpochs(configs: number, budgets: readonly number[], eta: number): number {
  let n = configs;
  let epochs = 0;
  budgets.forEach((b, k) => {
    if (k > 0) n = Math.floor(n / eta);
    epochs += n * (b - (k > 0 ? budgets[k - 1]! : 0));
  });
  return epochs;
}

/** The plan of a sweep over `space` with at most `trials` configs (default: the strategy's own count). */
export function planSweep(space: SearchSpace, trials = defaultTrialCount(space)): SweepPlan {
  const s = space.strategy;
  let grid: SweepPlan['grid'];
  try {
    grid = { size: gridSize(space.params, space.name) };
  } catch (e) {
    if (!(e instanceof TuneError)) throw e;
    grid = { size: null, reason: e.message.split('\n').slice(-1)[0]!.trim().replace(/^at /, '') };
  }
  if (!isFidelityStrategy(s)) {
    return { trials, grid, rungs: null, brackets: [{ configs: trials, budgets: [space.task.epochs] }], epochBudget: trials * space.task.epochs, exact: true };
  }
  const rungs = rungBudgets(s);
  const brackets: PlannedBracket[] = [];
  if (s.type === 'hyperband' || s.type === 'bohb') {
    // Brackets fill in order, so a --trials cap below Hyperband's own count cuts the later ones short.
    let left = trials;
    for (let it = 0; it < s.iterations; it++) {
      for (const b of hyperbandBrackets(s)) {
        const configs = Math.min(b.n, left);
        if (configs > 0) brackets.push({ configs, budgets: b.budgets });
        left -= configs;
      }
    }
  } else {
    brackets.push({ configs: trials, budgets: rungs });
  }
  const epochBudget = brackets.reduce((sum, b) => sum + bracketEpochs(b.configs, b.budgets, s.eta), 0);
  return { trials, grid, rungs, brackets, epochBudget, exact: s.type !== 'asha' };
}

/**
 * What the built-in trainer uses for each of its params when a trial's config doesn't set it (`units` absent
 * means `task.model.hidden`). A task module's own code reads its params its own way.
 */
export function trainerDefaults(space: SearchSpace): Readonly<Record<string, ParamValue | null>> {
  const hp = resolveHyperparams({}, space.task);
  return { ...hp, units: hp.units ?? null, ...architectureDefaults(space.task.model) };
}
