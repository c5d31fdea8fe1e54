import { z } from 'zod';
import { REDUCES } from '../core/objective.js';
import { KNOWN_PARAMS, METRICS, OPTIMIZERS, PER_LAYER_PARAMS, type KnownParam } from './types.js';
import { spaceDefinition, STRATEGY_SCHEMAS } from './strategy-definitions.js';
import { PARAM_RULES, paramRuleIssues, perLayerBase, show } from './param-rules.js';
import { prunerSchema } from './pruner-schema.js';

/**
 * The space FILE as written by users (raw JSON). This is a contract: `search-spaces/space.schema.json` is generated
 * from it, so every field carries a description. Normalisation (defaults that depend on other fields, absolute paths)
 * happens in load.ts; this schema only describes and checks.
 */

export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const scalar = z.union([z.number(), z.string(), z.boolean()], { error: 'expected a number, string or boolean' });

/** `"when"`: the param is sampled only while the condition holds (space/conditions.ts), and is absent otherwise. */
const when = z
  .record(z.string(), z.union([scalar, z.array(scalar).min(1)], { error: 'expected a value or a non-empty list of values' }))
  .optional()
  .describe(
    'Sample this param only when every named param is active and takes the given value (or one of the listed values), ' +
      'e.g. {"optimizer": "sgd"} or {"optimizer": ["sgd", "rmsprop"]}; otherwise the param is absent from the trial.',
  );

const perLayer = z
  .boolean()
  .optional()
  .describe('units and filters only: one param per hidden layer (units.1 … units.N, active while layers >= i) or per conv block (filters.1 … filters.N).');

const rangeFields = {
  min: z.number().describe('Lower bound, inclusive.'),
  max: z.number().describe('Upper bound, inclusive for int and stepped ranges.'),
  log: z.boolean().default(false).describe('Sample on a log scale (needs min > 0). Cannot be combined with step.'),
};

const floatRange = z
  .strictObject({
    type: z.literal('float'),
    ...rangeFields,
    step: z.number().positive().optional().describe('Only values min + k * step. Required for grid search over a float range.'),
    when,
    perLayer,
  })
  .describe('A real-valued range.');

const intRange = z
  .strictObject({
    type: z.literal('int'),
    min: z.int().describe('Lower bound, inclusive.'),
    max: z.int().describe('Upper bound, inclusive.'),
    log: rangeFields.log,
    step: z.int().positive().optional().describe('Only values min + k * step (default 1).'),
    when,
    perLayer,
  })
  .describe('An integer range.');

type RangeInput = { type: 'float' | 'int'; min: number; max: number; log: boolean; step?: number | undefined };

/** Checks that relate fields of one range; zod's per-field checks can't see these. */
function checkRange(r: RangeInput, ctx: z.RefinementCtx): void {
  const isInt = r.type === 'int';
  if (isInt ? r.min > r.max : r.min >= r.max) {
    ctx.addIssue({ code: 'custom', path: ['max'], input: r.max, message: `expected ${isInt ? 'an integer >=' : 'a number >'} min (${r.min}), got ${r.max}` });
  }
  if (r.log && r.min <= 0) {
    ctx.addIssue({ code: 'custom', path: ['min'], input: r.min, message: `expected a number > 0 for a log-scale range, got ${r.min}` });
  }
  if (r.log && r.step !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['step'], input: r.step, message: '"step" cannot be combined with "log": true; remove one of them' });
  } else if (r.step !== undefined && r.max > r.min && r.step > r.max - r.min) {
    ctx.addIssue({ code: 'custom', path: ['step'], input: r.step, message: `expected a step <= max - min (${Number((r.max - r.min).toPrecision(12))}), got ${r.step}` });
  }
}

const categorical = z
  .strictObject({
    type: z.literal('categorical'),
    values: z.array(scalar).min(1).describe('The choices, all distinct.'),
    when,
    perLayer,
  })
  .superRefine((c, ctx) => {
    c.values.forEach((v, i) => {
      const first = c.values.indexOf(v);
      if (first < i) ctx.addIssue({ code: 'custom', path: ['values', i], input: v, message: `duplicate value ${show(v)} (also at values[${first}])` });
    });
  })
  .describe('A choice among listed values.');

/** Discriminated on `type`, so an unknown type gets one clear error instead of one per member. */
const distribution = z
  .discriminatedUnion('type', [floatRange.superRefine(checkRange), intRange.superRefine(checkRange), categorical])
  .meta({ id: 'Distribution', description: 'A range or list of values to search.' });

const PARAM_UNION_MESSAGE = 'expected a fixed value (number, string or boolean) or an object with "type": "float" | "int" | "categorical"';

const PER_LAYER_MESSAGE = `"perLayer" applies only to ${PER_LAYER_PARAMS.join(' and ')}`;

function refusePerLayer(spec: RawSpec, ctx: z.RefinementCtx): void {
  if (typeof spec === 'object' && spec.perLayer !== undefined) ctx.addIssue({ code: 'custom', path: ['perLayer'], input: spec.perLayer, message: PER_LAYER_MESSAGE });
}

type RawSpec = number | string | boolean | z.output<typeof distribution>;

function paramSchema(name: KnownParam) {
  return z
    .union([z.number(), z.string(), z.boolean(), distribution], { error: PARAM_UNION_MESSAGE })
    .superRefine((spec, ctx) => {
      for (const issue of paramRuleIssues(name, spec)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
      if (!(PER_LAYER_PARAMS as readonly string[]).includes(name)) refusePerLayer(spec, ctx);
    })
    .describe(`${PARAM_RULES[name].doc} A bare value fixes it for every trial.`)
    .optional();
}

type ParamsShape = { [K in KnownParam]: ReturnType<typeof paramSchema> };
function paramsShape(): ParamsShape {
  const shape: Partial<ParamsShape> = {};
  for (const name of KNOWN_PARAMS) shape[name] = paramSchema(name);
  return shape as ParamsShape;
}

/** A param of your own code (`task.module`): any name, no per-name rules. load.ts refuses other names without a module. */
const userParam = z
  .union([z.number(), z.string(), z.boolean(), distribution], { error: PARAM_UNION_MESSAGE })
  .superRefine((spec, ctx) => {
    // perLayer belongs on units or filters; a per-layer name (units.2) gets its base's rule in paramsSchema.
    refusePerLayer(spec, ctx);
  })
  .describe('A param your task module reads (only with task.module), or one layer\'s units.i / filters.i. A bare value fixes it for every trial.');

export const paramsSchema = z
  .object(paramsShape())
  .catchall(userParam)
  .superRefine((params, ctx) => {
    for (const [name, spec] of Object.entries(params)) {
      const base = perLayerBase(name);
      if (base === undefined || spec === undefined) continue;
      const whole = params[base];
      if (typeof whole === 'object' && whole.perLayer === true) {
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} is also one of the params "${base}" makes with "perLayer": true; remove one of them` });
      }
      for (const issue of paramRuleIssues(base, spec)) ctx.addIssue({ code: 'custom', path: [name, ...issue.path], message: issue.message });
    }
  })
  .describe(
    'Hyperparameters: each a range, a list of values, or a fixed value. Written order is the grid order. ' +
      `Without task.module only ${KNOWN_PARAMS.join(', ')} are known; with one, any name is passed to your code.`,
  );

const mnistData = z
  .strictObject({
    builtin: z.literal('mnist').describe('A bundled data set.'),
    limit: z.int().min(1).optional().describe('Use only the first N examples (before the validation split); handy for quick sweeps.'),
  })
  .describe('The bundled MNIST digits (28x28 grey images, 10 classes).');

const csvData = z
  .strictObject({
    csv: z.string().min(1).describe('CSV file with a header row, relative to this space file. Numeric feature columns plus a label column.'),
    label: z.string().min(1).default('label').describe('Name of the label column (integer class ids).'),
    validation: z
      .strictObject({ csv: z.string().min(1).describe('CSV file of validation rows with the same columns, relative to this space file.') })
      .optional()
      .describe('A separate validation file; validationSplit is then not used. Features are standardised with the training rows\' statistics.'),
    split: z
      .string()
      .min(1)
      .optional()
      .describe('A column marking each row train (train, training) or validation (validation, val, valid), case-insensitive; it is not a feature, and validationSplit is then not used.'),
  })
  .superRefine((d, ctx) => {
    if (d.validation !== undefined && d.split !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['split'], message: 'give either "validation" (a separate file) or "split" (a column), not both' });
    }
    if (d.split !== undefined && d.split === d.label) {
      ctx.addIssue({ code: 'custom', path: ['split'], message: `the split column must not be the label column ("${d.label}")` });
    }
  })
  .describe('Tabular data from a CSV file.');

const hiddenLayers = z.array(z.int().min(1)).describe('Units of each hidden dense layer, in order.');

const mlpModel = z.strictObject({ type: z.literal('mlp'), hidden: hiddenLayers.default([128, 64]) }).describe('A multilayer perceptron.');
const cnnModel = z
  .strictObject({
    type: z.literal('cnn'),
    filters: z.array(z.int().min(1)).min(1).default([8, 16]).describe('Filters of each conv + max-pool block, in order.'),
    kernelSize: z.int().min(1).default(3).describe('Square convolution kernel size.'),
    hidden: hiddenLayers.default([64]),
  })
  .describe('A small convolutional network; needs image data.');

/** .js, .mjs and .cjs load as they are; .ts, .mts and .cts through tsx, with no build step. */
export const MODULE_EXTENSIONS = ['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts'] as const;

const taskModule = z
  .string()
  .min(1)
  .refine((p) => MODULE_EXTENSIONS.some((ext) => p.endsWith(ext)), { error: (iss) => `expected a ${MODULE_EXTENSIONS.join(', ')} file, got ${show(iss.input)}` })
  .describe(
    'Your own code, relative to this space file: a module exporting loadData(ctx), buildModel(params, ctx) and/or objective(params, trial). ' +
      'What it does not export comes from data and model. With it, params may have any names, and with objective() the metric may too.',
  );

const task = z
  .strictObject({
    data: z
      .union([mnistData, csvData], { error: 'expected {"builtin": "mnist"} or {"csv": "<file>"}' })
      .optional()
      .describe('The training data. Required unless task.module exports loadData() or objective().'),
    validationSplit: z.number().gt(0).lt(1).default(0.2).describe('Fraction held out for validation, split once by the study seed.'),
    model: z.discriminatedUnion('type', [mlpModel, cnnModel]).default({ type: 'mlp', hidden: [128, 64] }).describe('The network to train.'),
    optimizer: z.enum(OPTIMIZERS).default('adam').describe('Optimizer, unless params.optimizer tunes it.'),
    epochs: z
      .int()
      .min(1)
      .default(9)
      .describe("Epochs per trial (an objective()'s step budget). Multi-fidelity strategies (successive-halving, hyperband, asha) train up to their maxEpochs instead, which defaults to this."),
    module: taskModule.optional(),
  })
  .describe('What each trial trains, apart from the tuned params.');

const objective = z
  .strictObject({
    metric: z
      .string()
      .min(1)
      .meta({ examples: [...METRICS] })
      .describe(`Metric whose value (see reduce) ranks trials: ${METRICS.join(', ')}, or with a task module's objective() any name its values are stored under.`),
    direction: z.enum(['maximize', 'minimize']).optional().describe('Default: maximize for accuracy metrics, minimize for loss metrics.'),
    reduce: z
      .enum(REDUCES)
      .default('last')
      .describe("Which epoch's value is the trial's value: 'last' (the last epoch trained) or 'best' (its best epoch, as Keras Tuner does; the kept model is then that epoch's)."),
  })
  .describe('What the search optimises.');

/** One member per strategy, from its definition (strategy-definitions.ts). */
const strategy = z
  .discriminatedUnion('type', STRATEGY_SCHEMAS)
  .describe('How trials are proposed, and for the multi-fidelity strategies how many epochs each trial gets.');

/** Params that only a cnn has a use for. */
const CNN_PARAMS: readonly string[] = ['filters', 'kernelSize', 'pooling'];

export const spaceFileSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of this JSON Schema, for editors.'),
    name: z
      .string()
      .regex(NAME_PATTERN, { error: (iss) => `expected a name of letters, digits, ".", "_" or "-" (not starting with a symbol), got ${show(iss.input)}` })
      .describe('Study name: trials are stored under it, and reopening a study needs a compatible space.'),
    objective,
    task,
    params: paramsSchema,
    strategy,
    pruner: prunerSchema.optional(),
    seed: z.int().default(0).describe('Study seed: drives sampling, the validation split and per-trial seeds.'),
    enqueue: z
      .array(z.record(z.string(), scalar), { error: 'expected a list of configs, e.g. [{"learningRate": 0.001, "batchSize": 32}]' })
      .optional()
      .describe(
        "Configs to run first (warm starts, Optuna's enqueue_trial): each gives every searched param a value in its range or list " +
          '(fixed params may be left out). They count toward the trials, run once even across resumes, and a strategy learns from them as from any trial. ' +
          'random, grid and tpe only.',
      ),
  })
  .superRefine((s, ctx) => {
    if (s.task.model.type === 'cnn' && s.task.data !== undefined && 'csv' in s.task.data) {
      ctx.addIssue({ code: 'custom', path: ['task', 'model', 'type'], message: 'a cnn model needs image data ({"builtin": "mnist"}); use "mlp" with csv data' });
    }
    if (s.task.model.type !== 'cnn' && s.task.module === undefined) {
      for (const name of Object.keys(s.params).filter((n) => CNN_PARAMS.includes(perLayerBase(n) ?? n))) {
        ctx.addIssue({ code: 'custom', path: ['params', name], message: `${name} shapes a cnn's conv blocks, but task.model is an mlp; set task.model.type to "cnn" or remove it` });
      }
    }
    // The strategy's own checks against the rest of the file (strategy-definitions.ts), e.g. a grid's float steps.
    spaceDefinition(s.strategy.type).checkFile?.(s.strategy, s, ctx);
    // Multi-fidelity strategies stop trials by their own rungs; a second rule beside them would fight theirs.
    if (s.pruner !== undefined && spaceDefinition(s.strategy.type).fidelity) {
      ctx.addIssue({
        code: 'custom',
        path: ['pruner'],
        message: `the ${s.strategy.type} strategy prunes trials by its own rungs and takes no pruner; remove "pruner", or use it with random, grid or tpe`,
      });
    }
  })
  .describe('A tune search space: what to train, which hyperparameters to search, and how.');

export type SpaceFile = z.output<typeof spaceFileSchema>;
export type SpaceFileInput = z.input<typeof spaceFileSchema>;
export type RawParamSpec = NonNullable<SpaceFile['params'][KnownParam]>;
