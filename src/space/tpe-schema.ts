import { z } from 'zod';
import { SAMPLERS } from './types.js';

/**
 * The space-file side of TPE (`tpe`) and of the TPE model that BOHB and ASHA (`sampler: "tpe"`) draw configs from:
 * defaults, and the zod shapes of the model's options. load.ts fills the defaults; these schemas only describe and check.
 */

/** TPE's defaults: Optuna's startup and candidates (n_startup_trials, n_ei_candidates), and γ per Watanabe 2023. */
export const TPE_DEFAULTS = { startup: 10, candidates: 24, gamma: 0.1, multivariate: true } as const;

/** BOHB's defaults (Falkner et al. 2018 and their hpbandster code): ρ = 1/3 random configs, γ = 0.15. */
export const BOHB_DEFAULTS = { randomFraction: 1 / 3, candidates: 24, gamma: 0.15, multivariate: true } as const;

const candidates = (d: number) =>
  z
    .int()
    .min(1)
    .optional()
    .meta({ default: d })
    .describe(`Configs drawn from the good-set density l(x) per proposal; the one with the largest l(x)/g(x) is proposed. Default ${d}.`);

const gamma = (d: number) =>
  z
    .number()
    .gt(0)
    .max(1)
    .optional()
    .meta({ default: d })
    .describe(`Quantile of the observations that forms the good set, in (0, 1]; at most 25 observations are good. Default ${d}.`);

const multivariate = z
  .boolean()
  .optional()
  .meta({ default: true })
  .describe('One kernel over all params, which sees interactions (default true); false fits each param on its own.');

/** The model options that tpe and bohb share. */
export const tpeModelShape = (defaults: { readonly candidates: number; readonly gamma: number }) => ({
  candidates: candidates(defaults.candidates),
  gamma: gamma(defaults.gamma),
  multivariate,
});

export const tpeSchema = z
  .strictObject({
    type: z.literal('tpe'),
    trials: z.int().min(1).describe('Number of trials to run.'),
    startup: z
      .int()
      .min(1)
      .optional()
      .meta({ default: TPE_DEFAULTS.startup })
      .describe(`Random configs (the same as random search's) before the model takes over. Default ${TPE_DEFAULTS.startup}.`),
    ...tpeModelShape(TPE_DEFAULTS),
  })
  .describe(
    'Tree-structured Parzen Estimator (Bergstra et al., NeurIPS 2011): split the finished trials at the gamma quantile into good and ' +
      'bad, fit a density to each, and propose the candidate that maximises good density / bad density. Each trial trains task.epochs.',
  );

/** BOHB's own fields, beside the fidelity fields and iterations. */
export const bohbShape = {
  randomFraction: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .meta({ default: BOHB_DEFAULTS.randomFraction })
    .describe('Share of new configs drawn at random, whatever the model says (default 1/3).'),
  startup: z
    .int()
    .min(1)
    .optional()
    .describe('Values a rung budget needs before a model is fitted on it. Default: the number of searched params + 2.'),
  ...tpeModelShape(BOHB_DEFAULTS),
};

export const samplerSchema = z
  .enum(SAMPLERS)
  .optional()
  .meta({ default: 'random' })
  .describe('Where new configs come from: "random" (default) or "tpe", a TPE model fitted on the highest rung with enough values, as in BOHB.');
