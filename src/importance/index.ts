/**
 * Parameter importance: which searched params explain the objective, by two independent estimators.
 *
 * - PED-ANOVA (Watanabe, Bansal, Hutter, IJCAI 2023): per param, the Pearson divergence between the Parzen
 *   estimator of the top-γ' trials and that of the top-γ trials (γ' = `targetQuantile`, γ = `regionQuantile`),
 *   built on TPE's own Parzen estimators (strategies/tpe/). See ped-anova.ts.
 * - fANOVA (Hutter, Hoos, Leyton-Brown, ICML 2014): the share of the variance of a seeded random forest's
 *   prediction that each param's main effect explains. See fanova.ts and forest.ts.
 *
 * Usage:
 *   const input = importanceInput(study, await storage.trials(study.id)); // or build it by hand
 *   const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
 *   // pedAnova.learningRate = 0.7, … each estimator's scores are fractions summing to 1, largest first.
 *
 * Only finished trials with a finite value count (`importanceInput` picks them). A trial without a value for a
 * param (conditional spaces) is treated as "absent": its own category for categoricals, and for ranges it is
 * left out of that param's PED-ANOVA density and sent down both forest branches (weighted) in fANOVA.
 * Fewer than MIN_TRIALS usable trials throws NotEnoughTrialsError (exit 2), never NaN scores.
 * Pure: imports core/, space/ and strategies/ only; the reading from Storage is the caller's (see study-input.ts).
 */
import type { Direction, Params } from '../core/types.js';
import type { ParamSpec } from '../space/types.js';
import { encodeColumns } from './columns.js';
import { fanovaImportance } from './fanova.js';
import { pedAnovaImportance } from './ped-anova.js';

export { importanceInput, paramInfosOf, type TrialSource, loadImportanceInput } from './study-input.js';
export { NotEnoughTrialsError, MIN_TRIALS } from './errors.js';

/** A searched param and its spec (log ranges, categorical values). Fixed params get no score and may be left out. */
export interface ParamInfo {
  readonly name: string;
  readonly spec: ParamSpec;
}

/** One finished trial: its params (a param may be absent) and its finite objective value (raw, not sign-flipped). */
export interface ImportanceTrial {
  readonly params: Params;
  readonly value: number;
}

export interface ImportanceInput {
  readonly params: readonly ParamInfo[];
  readonly trials: readonly ImportanceTrial[];
  readonly direction: Direction;
}

/** Per-param fractions in [0, 1] summing to 1 (all 0 when nothing varies), ordered from most to least important. */
export type ImportanceScores = Readonly<Record<string, number>>;

export interface ImportanceOptions {
  /** Seeds the forest (core/rng.ts). Default 0. */
  readonly seed?: number;
  /** PED-ANOVA γ': the top fraction whose distribution is compared (Optuna's target_quantile, default 0.1). */
  readonly targetQuantile?: number;
  /** PED-ANOVA γ: the local space it is compared within (Optuna's region_quantile, default 1.0: the whole space). */
  readonly regionQuantile?: number;
  /** fANOVA: trees in the forest (default 32). */
  readonly trees?: number;
  /** fANOVA: deepest split (default 12) and fewest trials per leaf (default 2). */
  readonly maxDepth?: number;
  readonly minLeaf?: number;
}

export interface ImportanceResult {
  readonly pedAnova: ImportanceScores;
  readonly fanova: ImportanceScores;
  /** How many trials the estimates rest on. */
  readonly trials: number;
}

/** Both importance estimates of `input`. Deterministic for a given `options.seed`. */
export function computeImportance(input: ImportanceInput, options: ImportanceOptions = {}): ImportanceResult {
  const columns = encodeColumns(input);
  return {
    pedAnova: pedAnovaImportance(columns, options),
    fanova: fanovaImportance(columns, options),
    trials: columns.n,
  };
}
