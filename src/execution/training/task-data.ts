/**
 * A trial's training data as plain rows: the built-in data sets (one-hot labels) or what a module's `loadData()`
 * returned (checked, copied out of its tensors). Cached per worker thread; tensors are made per epoch and disposed.
 */
import * as tf from '@tensorflow/tfjs';
import type { SplitData } from '../data/types.js';
import { loadSplitData } from '../data/dataset.js';
import { callExport, TaskModuleError, type LoadedModule } from '../task-module/task-module.js';
import type { LoadDataContext } from '../task-module/task-module-types.js';
import type { TrialTask } from '../types.js';

export interface Rows {
  /** `count × prod(xShape)` values, row-major. */
  readonly x: Float32Array;
  /** The shape of one example's inputs. */
  readonly xShape: readonly number[];
  readonly y: Float32Array;
  readonly yShape: readonly number[];
  readonly count: number;
}

export interface TrainingData {
  readonly train: Rows;
  readonly validation: Rows;
  /** Built-in image data: the `[h, w, c]` of its flat rows (a built-in cnn reshapes them). */
  readonly imageShape?: readonly [number, number, number];
}

export const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const y = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) y[i * numClasses + labels[i]!] = 1;
  return y;
}

const builtinCache = new WeakMap<SplitData, TrainingData>();

/** Built-in data as rows (one-hot labels), converted once per data set; rows pass through. */
export function asTrainingData(data: SplitData | TrainingData): TrainingData {
  return 'features' in data.train ? fromSplit(data as SplitData) : (data as TrainingData);
}

function fromSplit(data: SplitData): TrainingData {
  let rows = builtinCache.get(data);
  if (rows === undefined) {
    const part = (d: SplitData['train']): Rows => ({ x: d.features, xShape: [d.numFeatures], y: oneHot(d.labels, d.numClasses), yShape: [d.numClasses], count: d.count });
    rows = { train: part(data.train), validation: part(data.validation), ...(data.train.imageShape ? { imageShape: data.train.imageShape } : {}) };
    builtinCache.set(data, rows);
  }
  return rows;
}

/** Row `order[i]` of `rows` at position i: the epoch's seeded shuffle, done in JS (tfjs-wasm's gather is slower). */
export function gather(rows: Rows, order?: Int32Array): { x: Float32Array; y: Float32Array } {
  if (order === undefined) return { x: rows.x, y: rows.y };
  const pick = (src: Float32Array, width: number): Float32Array => {
    const out = new Float32Array(order.length * width);
    for (let i = 0; i < order.length; i++) out.set(src.subarray(order[i]! * width, (order[i]! + 1) * width), i * width);
    return out;
  };
  return { x: pick(rows.x, size(rows.xShape)), y: pick(rows.y, size(rows.yShape)) };
}

interface Plain {
  readonly values: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly integer: boolean;
}

const INTEGER_ARRAYS = [Int8Array, Int16Array, Int32Array, Uint8Array, Uint8ClampedArray, Uint16Array, Uint32Array];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A tensor or `{ values, shape }` → plain values; tensors are read and disposed (tune keeps the copy). */
async function plain(v: unknown, where: string, fail: (why: string) => never): Promise<Plain> {
  if (v instanceof tf.Tensor) {
    if (v.dtype === 'string' || v.dtype === 'complex64') return fail(`${where} is a ${v.dtype} tensor; expected numbers`);
    if (v.shape.length === 0) return fail(`${where} is a scalar; expected [examples, ...]`);
    const values = (await v.data()) as Float32Array | Int32Array | Uint8Array;
    v.dispose();
    return { values, shape: [...v.shape], integer: v.dtype === 'int32' || v.dtype === 'bool' };
  }
  if (!isRecord(v)) return fail(`${where} must be a tensor or { values, shape }, got ${v === null ? 'null' : typeof v}`);
  const { values, shape } = v;
  const typed = ArrayBuffer.isView(values) && !(values instanceof DataView);
  if (!typed && !Array.isArray(values)) return fail(`${where}.values must be a typed array or an array of numbers`);
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    return fail(`${where}.shape must be a non-empty array of positive integers, e.g. [examples, features]`);
  }
  const list = values as ArrayLike<unknown>;
  if (list.length !== size(shape as number[])) return fail(`${where} has ${list.length} values, but its shape [${shape.join(', ')}] needs ${size(shape as number[])}`);
  if (!typed && !(values as unknown[]).every((x) => typeof x === 'number')) return fail(`${where}.values must hold only numbers`);
  return { values: list as ArrayLike<number>, shape: shape as number[], integer: INTEGER_ARRAYS.some((T) => values instanceof T) };
}

/** Class ids: integer-typed, one value per example. */
const isClassIds = (p: Plain): boolean => p.integer && (p.shape.length === 1 || (p.shape.length === 2 && p.shape[1] === 1));

/** Checks what loadData() returned and turns it into rows. Errors name the module, the export and the field. */
export async function fromModuleData(raw: unknown, label: string): Promise<TrainingData> {
  const fail = (why: string): never => {
    throw new TaskModuleError(label, `loadData() must return { train: { xs, ys }, validation: { xs, ys } }: ${why}`);
  };
  if (!isRecord(raw)) return fail(`got ${raw === null ? 'null' : typeof raw}`);
  const split = async (name: 'train' | 'validation'): Promise<{ xs: Plain; ys: Plain }> => {
    const part = raw[name];
    if (!isRecord(part)) return fail(`${name} is ${part === undefined ? 'missing' : 'not an object'}`);
    const xs = await plain(part.xs, `${name}.xs`, fail);
    const ys = await plain(part.ys, `${name}.ys`, fail);
    if (xs.shape[0] !== ys.shape[0]) fail(`${name}.xs has ${xs.shape[0]} examples but ${name}.ys has ${ys.shape[0]}`);
    return { xs, ys };
  };
  const train = await split('train');
  const validation = await split('validation');
  const sameShape = (a: Plain, b: Plain) => a.shape.slice(1).join() === b.shape.slice(1).join();
  if (!sameShape(train.xs, validation.xs)) fail(`train.xs and validation.xs have different example shapes`);
  const classes = isClassIds(train.ys) && isClassIds(validation.ys);
  if (!classes && !sameShape(train.ys, validation.ys)) fail(`train.ys and validation.ys have different example shapes`);
  let numClasses = 0;
  if (classes) {
    for (const p of [train.ys, validation.ys]) {
      for (let i = 0; i < p.values.length; i++) {
        if (p.values[i]! < 0) fail(`class ids must be >= 0, got ${p.values[i]}`);
        numClasses = Math.max(numClasses, p.values[i]! + 1);
      }
    }
  }
  const rows = (p: { xs: Plain; ys: Plain }): Rows => ({
    x: Float32Array.from(p.xs.values),
    xShape: p.xs.shape.slice(1),
    y: classes ? oneHot(p.ys.values, numClasses) : Float32Array.from(p.ys.values),
    yShape: classes ? [numClasses] : p.ys.shape.slice(1),
    count: p.xs.shape[0]!,
  });
  return { train: rows(train), validation: rows(validation) };
}

const MAX_CACHED = 4; // a worker normally serves one study; bound memory if it serves more
const moduleCache = new Map<string, Promise<TrainingData>>();

/** The module's data, loaded once per worker thread for a given study seed and split. */
function moduleData(module: LoadedModule, loadData: NonNullable<LoadedModule['loadData']>, task: TrialTask): Promise<TrainingData> {
  const key = JSON.stringify([module.path, task.splitSeed, task.task.validationSplit]);
  let data = moduleCache.get(key);
  if (data === undefined) {
    const ctx: LoadDataContext = { seed: task.splitSeed, validationSplit: task.task.validationSplit, task: task.task };
    data = callExport(module, 'loadData', () => loadData(ctx)).then((raw) => fromModuleData(raw, module.label));
    data.catch(() => moduleCache.delete(key)); // a failure (a file not there yet, say) is tried again next trial
    if (moduleCache.size >= MAX_CACHED) moduleCache.delete(moduleCache.keys().next().value!);
    moduleCache.set(key, data);
  }
  return data;
}

/** Calls loadData() once and checks what it returns, as a trial would, keeping nothing (the sweep's pre-flight check). */
export async function checkModuleData(module: LoadedModule, loadData: NonNullable<LoadedModule['loadData']>, ctx: LoadDataContext): Promise<void> {
  await fromModuleData(await callExport(module, 'loadData', () => loadData(ctx)), module.label);
}

/** The data a trial trains on: its module's loadData(), else the built-in `task.data`. */
export async function trainingData(task: TrialTask, module?: LoadedModule): Promise<TrainingData> {
  if (module?.loadData !== undefined) return moduleData(module, module.loadData, task);
  if (task.task.data === undefined && module !== undefined) {
    throw new TaskModuleError(module.label, 'exports no loadData(), and the space has no task.data to train on');
  }
  return fromSplit(loadSplitData(task.task.data, task.task.validationSplit, task.splitSeed));
}
