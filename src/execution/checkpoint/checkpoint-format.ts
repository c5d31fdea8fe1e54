/**
 * The checkpoint manifest: what a checkpoint holds, and the checks that tell a sound one from a damaged one.
 * No tfjs and no file access here (only hashing), so the format can be tested on its own.
 *
 * weights.bin is every tensor's values, back to back, in manifest order (model, then optimizer, then extras),
 * 4 bytes per value, little-endian; the manifest's `bytes` and `sha256` cover the whole file.
 */
import { createHash } from 'node:crypto';

export const CHECKPOINT_FORMAT = 'tune-checkpoint';
export const CHECKPOINT_VERSION = 1;

export const DTYPES = ['float32', 'int32'] as const;
export type WeightDtype = (typeof DTYPES)[number];

export interface WeightSpec {
  /** Informative only: tfjs names carry global counters, so tensors are matched by position and shape. */
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: WeightDtype;
}

export interface CheckpointManifest {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: typeof CHECKPOINT_VERSION;
  /** Epochs done when the checkpoint was written; a resume continues at epoch `epochs + 1`. */
  readonly epochs: number;
  /** The trial seed: a checkpoint only continues the trial that wrote it. */
  readonly seed: number;
  /** The optimizer's tfjs class name, e.g. 'Adam', 'Momentum'. */
  readonly optimizer: string;
  /** `model.weights`, in order. */
  readonly model: readonly WeightSpec[];
  /** `optimizer.getWeights()`, in order ('iter' first): what `optimizer.setWeights()` takes back. */
  readonly optimizerWeights: readonly WeightSpec[];
  /** Optimizer state that getWeights() leaves out (Adam's beta powers), restored by name. */
  readonly optimizerExtras: readonly WeightSpec[];
  readonly bytes: number;
  readonly sha256: string;
  readonly createdAt: string;
}

export const BYTES_PER_VALUE = 4;

export function valueCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

export function allSpecs(m: Pick<CheckpointManifest, 'model' | 'optimizerWeights' | 'optimizerExtras'>): WeightSpec[] {
  return [...m.model, ...m.optimizerWeights, ...m.optimizerExtras];
}

export function totalBytes(specs: readonly WeightSpec[]): number {
  return specs.reduce((n, s) => n + valueCount(s.shape) * BYTES_PER_VALUE, 0);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

function weightSpecs(v: unknown, field: string): WeightSpec[] {
  if (!Array.isArray(v)) throw new Error(`${field} is not a list`);
  return v.map((w: unknown, i) => {
    const at = `${field}[${i}]`;
    if (!isRecord(w)) throw new Error(`${at} is not an object`);
    const { name, shape, dtype } = w;
    if (typeof name !== 'string') throw new Error(`${at}.name is not a string`);
    if (!Array.isArray(shape) || !shape.every(isCount)) throw new Error(`${at}.shape is not a list of sizes`);
    if (!(DTYPES as readonly unknown[]).includes(dtype)) throw new Error(`${at}.dtype ${JSON.stringify(dtype)} is not one of ${DTYPES.join(', ')}`);
    return { name, shape: shape as number[], dtype: dtype as WeightDtype };
  });
}

/** Check a parsed manifest.json; throws a plain message (the caller adds the path). */
export function parseManifest(json: unknown): CheckpointManifest {
  if (!isRecord(json) || json['format'] !== CHECKPOINT_FORMAT) throw new Error(`not a ${CHECKPOINT_FORMAT} manifest`);
  if (json['version'] !== CHECKPOINT_VERSION) throw new Error(`unsupported version ${JSON.stringify(json['version'])} (this build reads ${CHECKPOINT_VERSION})`);
  const { epochs, seed, optimizer, bytes, sha256, createdAt } = json;
  if (!isCount(epochs) || epochs < 1) throw new Error(`epochs ${JSON.stringify(epochs)} is not a positive integer`);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new Error('seed is not a number');
  if (typeof optimizer !== 'string') throw new Error('optimizer is not a string');
  if (!isCount(bytes)) throw new Error('bytes is not a size');
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw new Error('sha256 is not a hex digest');
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    epochs,
    seed,
    optimizer,
    model: weightSpecs(json['model'], 'model'),
    optimizerWeights: weightSpecs(json['optimizerWeights'], 'optimizerWeights'),
    optimizerExtras: weightSpecs(json['optimizerExtras'], 'optimizerExtras'),
    bytes,
    sha256,
    createdAt: typeof createdAt === 'string' ? createdAt : '',
  };
  const expected = totalBytes(allSpecs(manifest));
  if (expected !== bytes) throw new Error(`bytes ${bytes} does not match its weight specs (${expected})`);
  return manifest;
}

/** Where `shape` differs from `expected`, as words; undefined when they match. */
export function shapeMismatch(shape: readonly number[], expected: readonly number[]): string | undefined {
  const same = shape.length === expected.length && shape.every((d, i) => d === expected[i]);
  return same ? undefined : `shape [${shape.join(', ')}] where the model has [${expected.join(', ')}]`;
}

/** A manifest before its data is known: what a writer fills in. */
export type ManifestDraft = Omit<CheckpointManifest, 'bytes' | 'sha256' | 'createdAt'>;

const digest = (chunks: readonly Uint8Array[]): string => {
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(c);
  return hash.digest('hex');
};

/** The full manifest for `chunks` (the values in manifest order); throws when their size doesn't fit the specs. */
export function sealManifest(draft: ManifestDraft, chunks: readonly Uint8Array[]): CheckpointManifest {
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  const expected = totalBytes(allSpecs(draft));
  if (bytes !== expected) throw new Error(`checkpoint data is ${bytes} bytes but its weight specs need ${expected}`);
  return { ...draft, bytes, sha256: digest(chunks), createdAt: new Date().toISOString() };
}

/** Why `weights` is not the data `manifest` describes (truncated or corrupt), or undefined when it is. */
export function weightsMismatch(manifest: CheckpointManifest, weights: Uint8Array, file = 'weights.bin'): string | undefined {
  if (weights.byteLength !== manifest.bytes) return `${file} is ${weights.byteLength} bytes, the manifest says ${manifest.bytes} (truncated or corrupt)`;
  if (digest([weights]) !== manifest.sha256) return `${file} does not match the manifest's sha256 (corrupt)`;
  return undefined;
}
