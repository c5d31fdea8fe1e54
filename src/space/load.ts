import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errorMessage, InputError, type InputIssue } from '../core/errors.js';
import type { Direction } from '../core/types.js';
import { isFidelityStrategy, withRungLadder } from './fidelity.js';
import { flattenIssues, spaceErrorMap } from './issues.js';
import { checkEnqueued } from './enqueue.js';
import { findJsonError } from './json-locate.js';
import { normalisePruner } from './pruner-schema.js';
import { spaceFileSchema, type RawParamSpec, type SpaceFile } from './schema.js';
import { spaceDefinition } from './strategy-definitions.js';
import { conditionIssues } from './conditions.js';
import { expandPerLayer } from './per-layer.js';
import { taskModuleIssues } from './task-rules.js';
import { PER_LAYER_PARAMS, type Condition, type DataSpec, type ModelSpec, type ParamSpec, type PerLayerParam, type SearchSpace } from './types.js';

export interface ParseOptions {
  /** Check that a csv data file and a task module exist (default true). Off for spaces that are only inspected, never run. */
  readonly checkFiles?: boolean;
  /**
   * The caller evaluates the trials itself (the ask/tell API): the task is never run, so like a space with a
   * task.module it needs no data, and its params and metric may have any names.
   */
  readonly askTell?: boolean;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A file's `when`, values always as lists; absent when the file has none, so other spaces' signatures don't change. */
function normaliseWhen(spec: Exclude<RawParamSpec, number | string | boolean>): { when?: Condition } {
  if (spec.when === undefined) return {};
  return { when: Object.fromEntries(Object.entries(spec.when).map(([k, v]) => [k, Array.isArray(v) ? [...v] : [v]])) };
}

function normaliseParam(spec: RawParamSpec): ParamSpec {
  if (typeof spec !== 'object') return { type: 'fixed', value: spec };
  switch (spec.type) {
    case 'categorical':
      return { type: 'categorical', values: [...spec.values], ...normaliseWhen(spec) };
    case 'int':
      return { type: 'int', min: spec.min, max: spec.max, log: spec.log, step: spec.step ?? 1, ...normaliseWhen(spec) };
    case 'float':
      return { type: 'float', min: spec.min, max: spec.max, log: spec.log, ...(spec.step !== undefined ? { step: spec.step } : {}), ...normaliseWhen(spec) };
  }
}

const isPerLayer = (name: string, spec: RawParamSpec | undefined): name is PerLayerParam =>
  typeof spec === 'object' && spec.perLayer === true && (PER_LAYER_PARAMS as readonly string[]).includes(name);

function normaliseData(data: NonNullable<SpaceFile['task']['data']>, baseDir: string): DataSpec {
  if ('builtin' in data) return { builtin: data.builtin, ...(data.limit !== undefined ? { limit: data.limit } : {}) };
  return {
    csv: resolve(baseDir, data.csv),
    label: data.label,
    // Present only when given, so the signature of a study without them is what it was before they existed.
    ...(data.validation !== undefined ? { validation: { csv: resolve(baseDir, data.validation.csv) } } : {}),
    ...(data.split !== undefined ? { split: data.split } : {}),
  };
}

function normaliseModel(model: SpaceFile['task']['model']): ModelSpec {
  // Copies, so freezing the result never freezes zod's shared default arrays.
  if (model.type === 'mlp') return { type: 'mlp', hidden: [...model.hidden] };
  return { type: 'cnn', filters: [...model.filters], kernelSize: model.kernelSize, hidden: [...model.hidden] };
}

export function defaultDirection(metric: string): Direction {
  return metric.endsWith('loss') ? 'minimize' : 'maximize';
}

function normalise(file: SpaceFile, paramOrder: readonly string[], baseDir: string): SearchSpace {
  // zod returns keys in schema order; the written order is the grid order, so rebuild from the input's keys.
  const params: Record<string, ParamSpec> = {};
  const parsed: Readonly<Record<string, RawParamSpec | undefined>> = file.params;
  const model = normaliseModel(file.task.model);
  const layers = parsed['layers'] === undefined ? undefined : normaliseParam(parsed['layers']);
  for (const name of paramOrder) {
    const spec = parsed[name];
    if (spec === undefined) continue;
    // units/filters with perLayer become units.1 … units.N in place (per-layer.ts); the rest is kept as written.
    if (isPerLayer(name, spec)) for (const [n, s] of expandPerLayer(name, normaliseParam(spec), model, layers)) params[n] = s;
    else params[name] = normaliseParam(spec);
  }
  // Normalised by its definition; the rung budgets are derived here, once, and kept on the spec (FidelitySpec.budgets).
  const strategy = withRungLadder(spaceDefinition(file.strategy.type).normalise(file.strategy, file));
  return {
    name: file.name,
    objective: {
      metric: file.objective.metric,
      direction: file.objective.direction ?? defaultDirection(file.objective.metric),
      // Only when not the default, so the signature of a study stored before reduce existed is unchanged.
      ...(file.objective.reduce === 'best' ? { reduce: 'best' as const } : {}),
    },
    task: {
      // Both optional: present only when given, so a built-in task's signature is what it was before modules.
      ...(file.task.module !== undefined ? { module: resolve(baseDir, file.task.module) } : {}),
      ...(file.task.data !== undefined ? { data: normaliseData(file.task.data, baseDir) } : {}),
      validationSplit: file.task.validationSplit,
      model,
      optimizer: file.task.optimizer,
      epochs: file.task.epochs,
    },
    params,
    strategy,
    // Present only when given, so a space without one is what it was before pruners.
    ...(file.pruner !== undefined ? { pruner: normalisePruner(file.pruner) } : {}),
    seed: file.seed,
    // Present only when given; checked against the params in enqueueIssues.
    ...(file.enqueue !== undefined && file.enqueue.length > 0 ? { enqueue: file.enqueue.map((c) => checkEnqueued(params, c).params) } : {}),
  };
}

/** Every enqueued config must lie in the space; the multi-fidelity strategies pick their configs by rung and take none. */
function enqueueIssues(space: SearchSpace, raw: unknown): InputIssue[] {
  const configs = isRecord(raw) && Array.isArray(raw.enqueue) ? raw.enqueue : [];
  if (configs.length === 0) return [];
  if (isFidelityStrategy(space.strategy)) {
    return [{ path: ['enqueue'], message: `works with the random, grid and tpe strategies; ${space.strategy.type} starts its configs by rung and can't take enqueued ones` }];
  }
  return configs.flatMap((c, i) => checkEnqueued(space.params, c).issues.map((issue) => ({ ...issue, path: ['enqueue', i, ...issue.path] })));
}

function fileIssue(file: unknown, baseDir: string, path: readonly (string | number)[]): InputIssue | null {
  if (typeof file !== 'string' || file === '') return null;
  const abs = resolve(baseDir, file);
  try {
    if (statSync(abs).isFile()) return null;
    return { path, message: `expected a csv file, found a directory: ${abs}` };
  } catch {
    return { path, message: `file not found: ${abs} (csv paths are relative to the space file)` };
  }
}

/** The csv files a space names (data and validation data) that are missing. */
function csvIssues(raw: unknown, baseDir: string): InputIssue[] {
  const data = isRecord(raw) && isRecord(raw.task) && isRecord(raw.task.data) ? raw.task.data : undefined;
  if (data === undefined) return [];
  const validation = isRecord(data.validation) ? data.validation.csv : undefined;
  return [fileIssue(data.csv, baseDir, ['task', 'data', 'csv']), fileIssue(validation, baseDir, ['task', 'data', 'validation', 'csv'])].filter((i): i is InputIssue => i !== null);
}

/**
 * Validates a space file's parsed JSON and normalises it: defaults filled, csv path made absolute, deeply frozen.
 * Throws InputError listing every problem found, each at its field path.
 */
export function parseSpace(raw: unknown, file: string, options: ParseOptions = {}): SearchSpace {
  const baseDir = dirname(resolve(file));
  const result = spaceFileSchema.safeParse(raw, { reportInput: true, error: spaceErrorMap });
  const issues: InputIssue[] = result.success ? [] : flattenIssues(result.error.issues);
  if (options.checkFiles ?? true) {
    issues.push(...csvIssues(raw, baseDir));
  }
  issues.push(...taskModuleIssues(raw, baseDir, options.checkFiles ?? true, options.askTell ?? false));
  if (!result.success || issues.length > 0) throw new InputError(file, issues);

  const paramOrder = isRecord(raw) && isRecord(raw.params) ? Object.keys(raw.params) : [];
  const space = normalise(result.data, paramOrder, baseDir);
  // Conditions are checked on the normalised params: per-layer params exist only from here on.
  const whenIssues = conditionIssues(space.params);
  if (whenIssues.length > 0) throw new InputError(file, whenIssues);
  const spaceIssues = [...(spaceDefinition(space.strategy.type).checkSpace?.(space, file) ?? []), ...enqueueIssues(space, raw)];
  if (spaceIssues.length > 0) throw new InputError(file, spaceIssues);
  return deepFreeze(space);
}

/** Reads, parses and validates a space file. Every failure is an InputError (exit code 2). */
export function loadSpace(file: string, options: ParseOptions = {}): SearchSpace {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = isRecord(e) ? e.code : undefined;
    const message = code === 'ENOENT' ? 'file not found' : code === 'EISDIR' ? 'expected a file, found a directory' : `cannot read the file: ${String(e)}`;
    throw new InputError(file, [{ path: [], message }]);
  }
  text = text.replace(/^\uFEFF/, ''); // editors on Windows may add a BOM, which JSON.parse rejects
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    const where = findJsonError(text);
    const message = where
      ? `invalid JSON at line ${where.line}, column ${where.column}: ${where.message}`
      : `invalid JSON: ${errorMessage(e)}`;
    throw new InputError(file, [{ path: [], message }]);
  }
  return parseSpace(raw, file, options);
}

/** JSON with object keys sorted at every level, so equal values give equal strings. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The parts of a space that must match when a study is reopened: params, task, objective, strategy type and, for the
 * multi-fidelity strategies, the rung ladder (eta, minEpochs, maxEpochs), since stored trials sit on its rungs.
 * Name, seed, trial counts and Hyperband's iterations may change between runs (e.g. to run more trials).
 * `fidelity` is absent for grid and random, so their signatures are what they were before it existed.
 */
export function spaceSignature(space: SearchSpace): string {
  const s = space.strategy;
  const fidelity = isFidelityStrategy(s) ? { eta: s.eta, minEpochs: s.minEpochs, maxEpochs: s.maxEpochs } : undefined;
  return canonicalJson({ fidelity, objective: space.objective, params: space.params, strategy: s.type, task: space.task });
}
