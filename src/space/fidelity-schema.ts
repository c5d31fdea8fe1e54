import { z } from 'zod';
import { bohbShape, samplerSchema } from './tpe-schema.js';
import type { FidelitySpec } from './types.js';

/**
 * The space-file side of the multi-fidelity strategies (successive-halving, hyperband, asha, bohb): their zod schemas,
 * the field aliases Optuna and Ray Tune users bring along, the checks that relate eta, minEpochs and maxEpochs, and
 * `normaliseFidelity`, which resolves the aliases and fills the defaults (called from strategy-definitions.ts).
 */

/** Each canonical field and the other names accepted for it in the file, in the order they are looked up. */
export const FIDELITY_ALIASES = {
  eta: ['reductionFactor', 'reduction'],
  minEpochs: ['grace', 'gracePeriod', 'minResource', 'minT'],
  maxEpochs: ['maxT', 'maxResource'],
} as const satisfies Readonly<Record<Exclude<keyof FidelitySpec, 'budgets'>, readonly string[]>>;

export type FidelityField = keyof typeof FIDELITY_ALIASES;
const FIELDS: readonly FidelityField[] = ['eta', 'minEpochs', 'maxEpochs'];

/** Defaults when neither the field nor an alias is given. maxEpochs has none here: it defaults to task.epochs. */
export const FIDELITY_DEFAULTS = { eta: 3, minEpochs: 1 } as const;

/** Where one field's value came from: the key written in the file (canonical or alias) and its value. */
export interface GivenField {
  readonly key: string;
  readonly value: number;
}

/** A parsed strategy object, seen only through the fidelity keys (canonical and aliases). */
type FidelityKeysOf = { readonly [key: string]: unknown };

/** Every key of the field present in the object, canonical first, then aliases in FIDELITY_ALIASES order. */
export function givenKeys(strategy: FidelityKeysOf, field: FidelityField): string[] {
  return [field, ...FIDELITY_ALIASES[field]].filter((k) => strategy[k] !== undefined);
}

/** The value of a field under whichever name it was given (the first, if several: the schema refuses that). */
export function givenField(strategy: FidelityKeysOf, field: FidelityField): GivenField | undefined {
  const key = givenKeys(strategy, field)[0];
  const value = key === undefined ? undefined : strategy[key];
  return key !== undefined && typeof value === 'number' ? { key, value } : undefined;
}

/** eta, minEpochs and maxEpochs under their canonical names, aliases resolved, defaults filled (maxEpochs from task.epochs). */
export function normaliseFidelity(strategy: FidelityKeysOf, taskEpochs: number): FidelitySpec {
  return {
    eta: givenField(strategy, 'eta')?.value ?? FIDELITY_DEFAULTS.eta,
    minEpochs: givenField(strategy, 'minEpochs')?.value ?? FIDELITY_DEFAULTS.minEpochs,
    maxEpochs: givenField(strategy, 'maxEpochs')?.value ?? taskEpochs,
  };
}

const ETA_RULE = 'an integer >= 2 (a whole eta keeps every rung budget a whole number of epochs)';

function isEta(v: number): boolean {
  return Number.isInteger(v) && v >= 2;
}

/** eta's own messages for a fractional or too-small number; anything else (a string, say) falls through to the space error map. */
const etaSchema = z
  .int({ error: (iss) => (iss.code === 'invalid_type' && typeof iss.input === 'number' ? `expected ${ETA_RULE}, got ${iss.input}` : undefined) })
  .min(2, { error: (iss) => `expected ${ETA_RULE}, got ${String(iss.input)}` });
const minEpochsSchema = z.int().min(1);
const maxEpochsSchema = z.int().min(1);

const ALIAS_SOURCES: Readonly<Record<string, string>> = {
  reductionFactor: "Optuna's and Ray Tune's reduction_factor",
  reduction: 'a short form',
  grace: 'a short form',
  gracePeriod: "Ray Tune's grace_period",
  minResource: "Optuna's min_resource",
  minT: 'the counterpart of maxT',
  maxT: "Ray Tune's max_t",
  maxResource: "Optuna's max_resource",
};

function alias<S extends z.ZodType>(schema: S, key: string, field: FidelityField) {
  return schema.optional().describe(`Alias of ${field} (${ALIAS_SOURCES[key] ?? 'another name'}). Give only one name for each field.`);
}

const fidelityShape = {
  eta: etaSchema
    .optional()
    .meta({ default: FIDELITY_DEFAULTS.eta })
    .describe(
      'Reduction factor: each rung keeps the best 1/eta of its trials and trains them eta times as many epochs. ' +
        'An integer >= 2, so every rung budget is a whole number of epochs. Default 3.',
    ),
  minEpochs: minEpochsSchema
    .optional()
    .meta({ default: FIDELITY_DEFAULTS.minEpochs })
    .describe('Epoch budget of the bottom rung, the fewest epochs a trial trains before it can be stopped. An integer >= 1. Default 1.'),
  maxEpochs: maxEpochsSchema
    .optional()
    .describe(
      'Epoch budget of the top rung, the most a trial trains. An integer >= minEpochs * eta, so there are at least two rungs. ' +
        'Default: task.epochs. When given, it is the budget even if task.epochs differs (task.epochs is then unused). ' +
        'Rung budgets are maxEpochs / eta^k, rounded, down to about minEpochs.',
    ),
};

const aliasShape = {
  reductionFactor: alias(etaSchema, 'reductionFactor', 'eta'),
  reduction: alias(etaSchema, 'reduction', 'eta'),
  grace: alias(minEpochsSchema, 'grace', 'minEpochs'),
  gracePeriod: alias(minEpochsSchema, 'gracePeriod', 'minEpochs'),
  minResource: alias(minEpochsSchema, 'minResource', 'minEpochs'),
  minT: alias(minEpochsSchema, 'minT', 'minEpochs'),
  maxT: alias(maxEpochsSchema, 'maxT', 'maxEpochs'),
  maxResource: alias(maxEpochsSchema, 'maxResource', 'maxEpochs'),
} satisfies Record<(typeof FIDELITY_ALIASES)[FidelityField][number], z.ZodType>;

const RUNGS_RULE = 'at least two rungs';

/** "minEpochs × eta = 1 × 3 = 3", with the names the file used. */
function ladderFloor(min: GivenField, eta: GivenField): string {
  return `${min.key} × ${eta.key} = ${min.value} × ${eta.value} = ${min.value * eta.value}`;
}

/**
 * eta and minEpochs as the file gives them (or their defaults), when both are valid and unambiguous; otherwise
 * undefined, because another issue already reports the problem and one mistake should give one message.
 */
function validBase(strategy: FidelityKeysOf): { eta: GivenField; min: GivenField } | undefined {
  if (givenKeys(strategy, 'eta').length > 1 || givenKeys(strategy, 'minEpochs').length > 1) return undefined;
  const eta = givenField(strategy, 'eta') ?? { key: 'eta', value: FIDELITY_DEFAULTS.eta };
  const min = givenField(strategy, 'minEpochs') ?? { key: 'minEpochs', value: FIDELITY_DEFAULTS.minEpochs };
  return isEta(eta.value) && Number.isInteger(min.value) && min.value >= 1 ? { eta, min } : undefined;
}

/** Checks inside the strategy object: one name per field, and maxEpochs (when given) high enough for two rungs. */
function checkFidelity(strategy: FidelityKeysOf, ctx: z.RefinementCtx): void {
  for (const field of FIELDS) {
    const [first, ...extra] = givenKeys(strategy, field);
    for (const key of extra) {
      const aliases = [first, key].filter((k) => k !== field).map((k) => `"${k}"`);
      const what = aliases.length === 1 ? `${aliases[0]} is an alias of "${field}"` : `${aliases.join(' and ')} are aliases of "${field}"`;
      ctx.addIssue({ code: 'custom', path: [key], input: strategy[key], message: `both strategy.${first} and strategy.${key} set ${field} (${what}); keep one` });
    }
  }
  const base = validBase(strategy);
  const maxKeys = givenKeys(strategy, 'maxEpochs');
  const max = givenField(strategy, 'maxEpochs');
  if (base === undefined || maxKeys.length !== 1 || max === undefined || !Number.isInteger(max.value) || max.value < 1) return;
  if (max.value < base.min.value * base.eta.value) {
    ctx.addIssue({
      code: 'custom',
      path: [max.key],
      input: max.value,
      message: `expected an integer >= ${ladderFloor(base.min, base.eta)} (${RUNGS_RULE}), got ${max.value}`,
    });
  }
}

/**
 * The check that needs task.epochs: with no maxEpochs in the strategy, task.epochs is the top rung, so it must leave
 * room for two rungs. Reported at task.epochs, the value at fault. Called from the whole file's refinement.
 */
export function checkTaskEpochsAsMax(strategy: FidelityKeysOf, taskEpochs: number, ctx: z.RefinementCtx): void {
  if (givenKeys(strategy, 'maxEpochs').length > 0) return;
  const base = validBase(strategy);
  if (base === undefined || taskEpochs >= base.min.value * base.eta.value) return;
  ctx.addIssue({
    code: 'custom',
    path: ['task', 'epochs'],
    input: taskEpochs,
    message:
      `expected an integer >= ${ladderFloor(base.min, base.eta)} (${RUNGS_RULE}), got ${taskEpochs}: ` +
      'strategy.maxEpochs is not given, so task.epochs is the top rung budget; raise it or set strategy.maxEpochs',
  });
}

const LADDER_DOC = 'Rung k trains for about maxEpochs / eta^(K - k) epochs, k = 0..K, K = floor(log_eta(maxEpochs / minEpochs)).';

export const successiveHalvingSchema = z
  .strictObject({
    type: z.literal('successive-halving'),
    ...fidelityShape,
    trials: z
      .int()
      .min(1)
      .optional()
      .describe('Configs started on the bottom rung (default eta^K, so that exactly one reaches the top rung).'),
    ...aliasShape,
  })
  .superRefine(checkFidelity)
  .describe(
    'Synchronous successive halving (Jamieson & Talwalkar 2016): train `trials` configs for minEpochs, keep the best 1/eta, ' +
      'train those eta times longer, and so on up to maxEpochs. Each rung waits until the one below is complete. ' +
      LADDER_DOC,
  );

export const hyperbandSchema = z
  .strictObject({
    type: z.literal('hyperband'),
    ...fidelityShape,
    iterations: z.int().min(1).default(1).describe('How many times to run the whole set of K + 1 brackets (default 1).'),
    sampler: samplerSchema,
    ...aliasShape,
  })
  .superRefine(checkFidelity)
  .describe(
    'Hyperband (Li et al., JMLR 2018, Algorithm 1): K + 1 brackets of successive halving, from many configs started at ' +
      'minEpochs to a few trained for maxEpochs straight away, hedging over how early a config can be judged. ' +
      'The number of configs follows from eta, minEpochs and maxEpochs. ' +
      LADDER_DOC,
  );

export const ashaSchema = z
  .strictObject({
    type: z.literal('asha'),
    ...fidelityShape,
    trials: z.int().min(1).describe('Configs to start (required). Each begins on the bottom rung.'),
    sampler: samplerSchema,
    ...aliasShape,
  })
  .superRefine(checkFidelity)
  .describe(
    'Asynchronous successive halving, ASHA (Li et al., MLSys 2020): a config is promoted to the next rung as soon as it is ' +
      'in the top 1/eta of the trials that finished its rung, so workers never wait for a rung to fill. ' +
      LADDER_DOC,
  );

export const bohbSchema = z
  .strictObject({
    type: z.literal('bohb'),
    ...fidelityShape,
    iterations: z.int().min(1).default(1).describe('How many times to run the whole set of K + 1 brackets (default 1).'),
    ...bohbShape,
    ...aliasShape,
  })
  .superRefine(checkFidelity)
  .describe(
    'BOHB (Falkner et al., ICML 2018): exactly Hyperband\'s brackets, but each new config comes from a TPE model fitted on the ' +
      'largest budget that has enough values (randomFraction of them stay random). ' +
      LADDER_DOC,
  );
