import { FIDELITY_STRATEGY_TYPES, type FidelityStrategyType } from './strategy-definitions.js';
import type { FidelitySpec, StrategySpec } from './types.js';

/**
 * The rung ladder of the multi-fidelity strategies (successive halving, Hyperband, ASHA, BOHB): pure arithmetic on a
 * FidelitySpec, shared so that every strategy agrees on the budgets.
 */

/** The strategies whose trials climb a rung ladder (strategy-definitions.ts); their spec carries eta, minEpochs and maxEpochs. */
export { FIDELITY_STRATEGY_TYPES, type FidelityStrategyType };
export type FidelityStrategySpec = Extract<StrategySpec, { readonly type: FidelityStrategyType }>;

export function isFidelityStrategy(spec: StrategySpec): spec is FidelityStrategySpec {
  return (FIDELITY_STRATEGY_TYPES as readonly string[]).includes(spec.type);
}

/**
 * The spec with its rung budgets kept on it, as the non-enumerable `budgets` (see FidelitySpec.budgets), so every
 * reader shares one computation; other specs are returned as they are. Called when a space is normalised.
 */
export function withRungLadder<S extends StrategySpec>(spec: S): S {
  if (!isFidelityStrategy(spec) || spec.budgets !== undefined) return spec;
  const copy = { ...spec };
  Object.defineProperty(copy, 'budgets', { value: Object.freeze(rungBudgets(spec)), enumerable: false });
  return copy;
}

/** The rung budgets of a spec: those derived at normalisation, or, for a spec built in code, computed now. */
export function rungLadder(spec: FidelitySpec): readonly number[] {
  return spec.budgets ?? rungBudgets(spec);
}

function checkSpec({ eta, minEpochs, maxEpochs }: FidelitySpec): void {
  // Space files are validated before they get here (eta an integer >= 2, maxEpochs >= minEpochs * eta);
  // this only guards against a caller building a spec by hand that would loop forever or give no ladder.
  if (!(Number.isFinite(eta) && eta > 1)) throw new RangeError(`eta must be a finite number > 1, got ${eta}`);
  if (!(Number.isFinite(minEpochs) && minEpochs > 0)) throw new RangeError(`minEpochs must be a finite number > 0, got ${minEpochs}`);
  if (!(Number.isFinite(maxEpochs) && maxEpochs >= minEpochs)) throw new RangeError(`maxEpochs must be a finite number >= minEpochs (${minEpochs}), got ${maxEpochs}`);
}

/**
 * K = floor(log_eta(maxEpochs / minEpochs)): the largest K with minEpochs * eta^K <= maxEpochs.
 * Found by repeated multiplication instead of logarithms, so (1, 27, eta 3) gives exactly 3, not 2.9999999999999996;
 * with integer inputs every product is exact. The tiny tolerance covers non-integer eta.
 */
function topIndex({ eta, minEpochs, maxEpochs }: FidelitySpec): number {
  let k = 0;
  let budget = minEpochs * eta;
  while (budget <= maxEpochs * (1 + 1e-12)) {
    k++;
    budget *= eta;
  }
  return k;
}

/**
 * The epoch budget of each rung, bottom rung first, top rung last (always `maxEpochs`).
 *
 * The ladder is anchored at the top: r_k = maxEpochs * eta^(k - K) for k = 0..K, K = floor(log_eta(maxEpochs / minEpochs)),
 * as in Hyperband (Li et al. 2018), where the most-trained configs get exactly the full budget. Each r_k is rounded to
 * the nearest integer, halves up (2.5 → 3), and is at least minEpochs. So the bottom rung is minEpochs only when
 * maxEpochs / minEpochs is a power of eta; otherwise it lies between minEpochs and minEpochs * eta, both included:
 * (eta 3, 1, 27) → [1, 3, 9, 27]; (eta 3, 1, 10) → [1, 3, 10]; (eta 2, 2, 20) → [3, 5, 10, 20]; (eta 2, 1, 3) → [2, 3].
 *
 * The result is strictly increasing. For eta >= 2 rounding can't make neighbours equal (they differ by at least 1
 * before rounding); for 1 < eta < 2, which space files don't allow, equal neighbours are merged into one rung.
 */
export function rungBudgets(spec: FidelitySpec): number[] {
  checkSpec(spec);
  const K = topIndex(spec);
  const budgets: number[] = [];
  for (let k = 0; k <= K; k++) {
    // Divide by an exact power rather than multiply by eta^(k - K): 27 / 3^3 is exactly 1, 27 * 3^-3 is not.
    const exact = spec.maxEpochs / spec.eta ** (K - k);
    const budget = Math.max(spec.minEpochs, Math.floor(exact + 0.5));
    if (budget > (budgets[budgets.length - 1] ?? -Infinity)) budgets.push(budget);
  }
  return budgets;
}

/** Index of the top rung: the rung count minus one (K above when eta >= 2). Rungs are numbered from 0 at the bottom. */
export function maxRung(spec: FidelitySpec): number {
  return rungLadder(spec).length - 1;
}
