import type { Direction, Params } from '../core/types.js';
import type { ParamSpec } from '../space/types.js';

/** The types of importance's API (re-exported by index.ts, where the module comment explains them). */

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
  /** fANOVA: trees in the forest (default 16). */
  readonly trees?: number;
  /** fANOVA: deepest leaf (default 12) and fewest trials per leaf (default 2). */
  readonly maxDepth?: number;
  readonly minLeaf?: number;
}

export interface ImportanceResult {
  readonly pedAnova: ImportanceScores;
  readonly fanova: ImportanceScores;
  /** How many trials the estimates rest on. */
  readonly trials: number;
}
