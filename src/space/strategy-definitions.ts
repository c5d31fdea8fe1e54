import { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import type { ParamValue } from '../core/types.js';
import { ashaSchema, bohbSchema, checkTaskEpochsAsMax, hyperbandSchema, normaliseFidelity, successiveHalvingSchema } from './fidelity-schema.js';
import { gridSize, MAX_GRID_POINTS } from './grid.js';
import { BOHB_DEFAULTS, TPE_DEFAULTS, tpeSchema } from './tpe-schema.js';
import { STRATEGY_TYPES, type FidelitySpec, type SamplerName, type SearchSpace, type StrategySpecOf, type StrategyType } from './types.js';

/**
 * The space-file half of each strategy: its schema, how its spec is normalised (defaults, aliases), and the checks that
 * need more of the file than the strategy object. One record per type, keyed by `type`.
 *
 * Why two halves: `space/` may import only `core/`, so it cannot name the strategy classes, and loading a space file
 * (the CLI's `--help`, the JSON Schema, `tune top`) should not load them either. This half is what reading a space
 * needs; `strategies/registry.ts` holds the other half (factory, trial count, full budget). Both are typed over `StrategyType`, so a strategy added to the list and missing from
 * either registry is a compile error, and nothing switches on the type anywhere else.
 */

/** What a strategy's file-level checks may see of the rest of the parsed file. */
export interface ParsedFile {
  readonly task: { readonly epochs: number };
  readonly params: Readonly<Record<string, ParamValue | { readonly type: string; readonly step?: number } | undefined>>;
}

type StrategySchema = z.ZodType<{ readonly type: StrategyType }>;
type TypeOf<Schema extends StrategySchema> = z.output<Schema> extends { readonly type: infer T extends StrategyType } ? T : never;
/** Whether a type's normalised spec carries the rung ladder fields: then, and only then, its `fidelity` is true. */
type IsFidelity<T extends StrategyType> = StrategySpecOf<T> extends FidelitySpec ? true : false;

export interface StrategySpaceDefinition<Schema extends StrategySchema = StrategySchema> {
  /** The `strategy` object of a space file: one member of the schema's union, discriminated on `type`. */
  readonly schema: Schema;
  /** Its trials climb a rung ladder: the spec carries eta, minEpochs and maxEpochs (fidelity.ts). */
  readonly fidelity: IsFidelity<TypeOf<Schema>>;
  /** The normalised spec: aliases resolved, defaults filled, nothing the file did not imply. */
  normalise(strategy: z.output<Schema>, file: ParsedFile): StrategySpecOf<TypeOf<Schema>>;
  /** Checks relating the strategy to the rest of the file, which zod's per-field checks can't see. */
  checkFile?(strategy: z.output<Schema>, file: ParsedFile, ctx: z.RefinementCtx): void;
  /** Checks on the normalised space that need computing, e.g. the grid's size. */
  checkSpace?(space: SearchSpace, file: string): readonly InputIssue[];
}

/** Types each definition's functions from its own schema. */
const define = <Schema extends StrategySchema>(definition: StrategySpaceDefinition<Schema>) => definition;

const randomSchema = z
  .strictObject({ type: z.literal('random'), trials: z.int().min(1).describe('Number of trials to run.') })
  .describe('Independent random samples from the params.');

const gridSchema = z
  .strictObject({ type: z.literal('grid'), trials: z.int().min(1).optional().describe('Stop after this many points (default: the whole grid).') })
  .describe('Every combination of categorical values and stepped ranges, in written order.');

/** `sampler` is kept only when it is not the default, so random Hyperband and ASHA specs are what they were before it. */
const samplerOf = (strategy: { readonly sampler?: SamplerName | undefined }) => (strategy.sampler === 'tpe' ? { sampler: strategy.sampler } : {});

const checkLadder = (strategy: Readonly<Record<string, unknown>>, file: ParsedFile, ctx: z.RefinementCtx): void =>
  checkTaskEpochsAsMax(strategy, file.task.epochs, ctx);

export const STRATEGY_SPACES = {
  random: define({
    schema: randomSchema,
    fidelity: false,
    normalise: (s) => ({ type: 'random', trials: s.trials }),
  }),
  grid: define({
    schema: gridSchema,
    fidelity: false,
    normalise: (s) => ({ type: 'grid', ...(s.trials !== undefined ? { trials: s.trials } : {}) }),
    checkFile(_s, file, ctx) {
      for (const [name, spec] of Object.entries(file.params)) {
        if (typeof spec === 'object' && spec.type === 'float' && spec.step === undefined) {
          ctx.addIssue({ code: 'custom', path: ['params', name], message: 'grid search needs a "step" or "values" for a float range' });
        }
      }
    },
    checkSpace(space, file) {
      const size = gridSize(space.params, file);
      if (size <= MAX_GRID_POINTS) return [];
      return [{ path: ['params'], message: `the grid has ${size} points, more than ${MAX_GRID_POINTS}; use fewer values or larger steps, or random search` }];
    },
  }),
  'successive-halving': define({
    schema: successiveHalvingSchema,
    fidelity: true,
    normalise: (s, file) => ({ type: s.type, ...normaliseFidelity(s, file.task.epochs), ...(s.trials !== undefined ? { trials: s.trials } : {}) }),
    checkFile: checkLadder,
  }),
  hyperband: define({
    schema: hyperbandSchema,
    fidelity: true,
    normalise: (s, file) => ({ type: s.type, ...normaliseFidelity(s, file.task.epochs), iterations: s.iterations, ...samplerOf(s) }),
    checkFile: checkLadder,
  }),
  asha: define({
    schema: ashaSchema,
    fidelity: true,
    normalise: (s, file) => ({ type: s.type, ...normaliseFidelity(s, file.task.epochs), trials: s.trials, ...samplerOf(s) }),
    checkFile: checkLadder,
  }),
  tpe: define({
    schema: tpeSchema,
    fidelity: false,
    normalise: (s) => ({
      type: s.type,
      trials: s.trials,
      startup: s.startup ?? TPE_DEFAULTS.startup,
      candidates: s.candidates ?? TPE_DEFAULTS.candidates,
      gamma: s.gamma ?? TPE_DEFAULTS.gamma,
      multivariate: s.multivariate ?? TPE_DEFAULTS.multivariate,
    }),
  }),
  bohb: define({
    schema: bohbSchema,
    fidelity: true,
    normalise: (s, file) => ({
      type: s.type,
      ...normaliseFidelity(s, file.task.epochs),
      iterations: s.iterations,
      randomFraction: s.randomFraction ?? BOHB_DEFAULTS.randomFraction,
      ...(s.startup !== undefined ? { startup: s.startup } : {}),
      candidates: s.candidates ?? BOHB_DEFAULTS.candidates,
      gamma: s.gamma ?? BOHB_DEFAULTS.gamma,
      multivariate: s.multivariate ?? BOHB_DEFAULTS.multivariate,
    }),
    checkFile: checkLadder,
  }),
} satisfies { readonly [T in StrategyType]: StrategySpaceDefinition<z.ZodType<{ readonly type: T }>> };

/** The definition of a type known only at run time, seen through the erased interface (each entry fits its key). */
export function spaceDefinition(type: StrategyType): StrategySpaceDefinition {
  return STRATEGY_SPACES[type];
}

type SchemasOf<Types extends readonly StrategyType[]> = {
  -readonly [K in keyof Types]: Types[K] extends StrategyType ? (typeof STRATEGY_SPACES)[Types[K]]['schema'] : never;
};

/** One schema per strategy, in STRATEGY_TYPES order: the members of the space file's `strategy` union. */
export const STRATEGY_SCHEMAS = STRATEGY_TYPES.map((type) => STRATEGY_SPACES[type].schema) as SchemasOf<typeof STRATEGY_TYPES>;

/** The strategies whose trials climb a rung ladder, in STRATEGY_TYPES order: those whose spec is a FidelitySpec. */
export type FidelityStrategyType = { [T in StrategyType]: IsFidelity<T> extends true ? T : never }[StrategyType];
export const FIDELITY_STRATEGY_TYPES: readonly FidelityStrategyType[] = STRATEGY_TYPES.filter(
  (type): type is FidelityStrategyType => spaceDefinition(type).fidelity,
);
