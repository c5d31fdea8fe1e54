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
 *   const input = await loadImportanceInput(storage, study); // or importanceInput(study, trials), or by hand
 *   const { pedAnova, fanova } = computeImportance(input, { seed: 1 });
 *   // pedAnova.learningRate = 0.7, … each estimator's scores are fractions summing to 1, largest first.
 *
 * Only trials with a finite value count (`importanceInput` picks the complete and pruned ones). A trial without a
 * value for a param (conditional spaces) is "absent": its own choice for a categorical; for a range it is left out
 * of that param's PED-ANOVA densities, and in the forest it follows the larger child at a split on that param.
 * Fewer than MIN_TRIALS usable trials throws NotEnoughTrialsError (exit 2), never NaN scores.
 * Pure: imports core/, space/ and strategies/ only; the reading from Storage is the caller's (see study-input.ts).
 */
import { encodeColumns } from './columns.js';
import { fanovaImportance } from './fanova.js';
import { pedAnovaImportance } from './ped-anova.js';
import type { ImportanceInput, ImportanceOptions, ImportanceResult } from './types.js';

export { importanceInput, paramInfosOf, type TrialSource, loadImportanceInput } from './study-input.js';
export { NotEnoughTrialsError, MIN_TRIALS } from './errors.js';
export type { ParamInfo, ImportanceTrial, ImportanceInput, ImportanceScores, ImportanceOptions, ImportanceResult } from './types.js';

/** Both importance estimates of `input`. Deterministic for a given `options.seed`. */
export function computeImportance(input: ImportanceInput, options: ImportanceOptions = {}): ImportanceResult {
  const columns = encodeColumns(input);
  return {
    pedAnova: pedAnovaImportance(columns, options),
    fanova: fanovaImportance(columns, options),
    trials: columns.n,
  };
}
