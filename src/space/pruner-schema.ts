import { z } from 'zod';

/**
 * The space file's `pruner`: a rule that stops unpromising trials of random, grid or TPE search early, from the
 * values they report each epoch. The rules themselves are in `strategies/pruners/`; this file is the file format
 * (schema, defaults, normalised specs). Epochs count from 1 where Optuna's steps count from 0: Optuna's
 * `n_warmup_steps = w` is `warmup: w` here (the earliest epoch a trial can be pruned at is w + 1).
 */

/** The rules, in the order the schema lists them. */
export const PRUNER_TYPES = ['median', 'percentile', 'patience', 'threshold'] as const;
export type PrunerType = (typeof PRUNER_TYPES)[number];

/** Optuna's MedianPruner and PercentilePruner defaults (n_startup_trials 5, n_warmup_steps 0, interval_steps 1, n_min_trials 1). */
export const PRUNER_DEFAULTS = { startup: 5, warmup: 0, interval: 1, minTrials: 1, minDelta: 0 } as const;

/** When a comparison pruner may look: after `startup` complete trials, from epoch warmup + 1, every `interval` epochs. */
export interface PruneSchedule {
  readonly warmup: number;
  readonly interval: number;
}

/** Comparison with the other trials: after `startup` complete trials, with at least `minTrials` values at the epoch. */
export interface ComparisonSchedule extends PruneSchedule {
  readonly startup: number;
  readonly minTrials: number;
}

/** Prune when the trial's best value so far is worse than the median of the other trials' values at that epoch. */
export interface MedianPrunerSpec extends ComparisonSchedule {
  readonly type: 'median';
}

/** As the median, at another percentile: the top `percentile` per cent at each epoch are kept. */
export interface PercentilePrunerSpec extends ComparisonSchedule {
  readonly type: 'percentile';
  readonly percentile: number;
}

/** Keras EarlyStopping: prune after `patience` epochs in a row that did not improve on the best by more than `minDelta`. */
export interface PatiencePrunerSpec {
  readonly type: 'patience';
  readonly patience: number;
  readonly minDelta: number;
}

/** Prune when the latest value leaves [lower, upper] (raw values, whatever the direction) or is NaN. */
export interface ThresholdPrunerSpec extends PruneSchedule {
  readonly type: 'threshold';
  readonly lower?: number;
  readonly upper?: number;
}

export type PrunerSpec = MedianPrunerSpec | PercentilePrunerSpec | PatiencePrunerSpec | ThresholdPrunerSpec;

const withDefault = <T extends z.ZodType>(schema: T, value: number, text: string) =>
  schema.optional().meta({ default: value }).describe(`${text} Default ${value}.`);

const startup = withDefault(z.int().min(0), PRUNER_DEFAULTS.startup, 'No trial is pruned until this many trials of the study are complete.');
const warmup = withDefault(z.int().min(0), PRUNER_DEFAULTS.warmup, 'Epochs every trial trains before it can be pruned.');
const interval = withDefault(z.int().min(1), PRUNER_DEFAULTS.interval, 'After the warmup, look every this many epochs.');
const minTrials = withDefault(z.int().min(1), PRUNER_DEFAULTS.minTrials, 'Other trials that must have a value at the epoch before it is compared.');

const medianSchema = z
  .strictObject({ type: z.literal('median'), startup, warmup, interval, minTrials })
  .describe(
    'The median stopping rule (Golovin et al. 2017, Google Vizier; Optuna\'s MedianPruner): prune a trial whose best value so far is worse ' +
      'than the median of the other trials\' values at the same epoch (running and finished trials alike).',
  );

const percentileSchema = z
  .strictObject({
    type: z.literal('percentile'),
    percentile: z.number().min(0).max(100).describe('Keep the top this many per cent at each epoch: 25 prunes harder than the median (50), 75 more gently.'),
    startup,
    warmup,
    interval,
    minTrials,
  })
  .describe('Optuna\'s PercentilePruner: prune a trial whose best value so far is outside the top `percentile` per cent of the other trials\' values at the same epoch.');

const patienceSchema = z
  .strictObject({
    type: z.literal('patience'),
    patience: z.int().min(1).describe('Epochs in a row without an improvement after which the trial is pruned.'),
    minDelta: withDefault(z.number().min(0), PRUNER_DEFAULTS.minDelta, 'An epoch improves only if it beats the best so far by more than this.'),
  })
  .describe('Early stopping as Keras EarlyStopping does it, per trial: prune after `patience` epochs without a `minDelta` improvement of the objective.');

const thresholdSchema = z
  .strictObject({
    type: z.literal('threshold'),
    lower: z.number().optional().describe('Prune when the latest value is below this (raw value, whatever the direction).'),
    upper: z.number().optional().describe('Prune when the latest value is above this.'),
    warmup,
    interval,
  })
  .superRefine((t, ctx) => {
    if (t.lower === undefined && t.upper === undefined) ctx.addIssue({ code: 'custom', path: [], message: 'a threshold pruner needs "lower", "upper" or both' });
    if (t.lower !== undefined && t.upper !== undefined && t.lower > t.upper) {
      ctx.addIssue({ code: 'custom', path: ['upper'], input: t.upper, message: `expected a number >= lower (${t.lower}), got ${t.upper}` });
    }
  })
  .describe('Optuna\'s ThresholdPruner: prune a trial whose latest value is below `lower`, above `upper`, or NaN; for diverging trials.');

export const prunerSchema = z
  .discriminatedUnion('type', [medianSchema, percentileSchema, patienceSchema, thresholdSchema])
  .describe(
    'Stops unpromising trials early (they are stored "pruned", with their curves). For random, grid and tpe; the multi-fidelity strategies ' +
      '(successive-halving, hyperband, asha, bohb) prune by their own rungs and refuse a pruner.',
  );

export type PrunerFile = z.output<typeof prunerSchema>;

/**
 * The normalised spec: defaults filled. It is itself a valid file `pruner` (the stored definition is parsed back as
 * a space file), so nothing is added that the file format doesn't have.
 */
export function normalisePruner(p: PrunerFile): PrunerSpec {
  if (p.type === 'patience') return { type: 'patience', patience: p.patience, minDelta: p.minDelta ?? PRUNER_DEFAULTS.minDelta };
  const schedule = { warmup: p.warmup ?? PRUNER_DEFAULTS.warmup, interval: p.interval ?? PRUNER_DEFAULTS.interval };
  if (p.type === 'threshold') {
    return { type: 'threshold', ...(p.lower !== undefined ? { lower: p.lower } : {}), ...(p.upper !== undefined ? { upper: p.upper } : {}), ...schedule };
  }
  const comparison = { startup: p.startup ?? PRUNER_DEFAULTS.startup, ...schedule, minTrials: p.minTrials ?? PRUNER_DEFAULTS.minTrials };
  return p.type === 'median' ? { type: 'median', ...comparison } : { type: 'percentile', percentile: p.percentile, ...comparison };
}
