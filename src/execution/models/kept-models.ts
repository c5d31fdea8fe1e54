/**
 * The trained models a sweep keeps (`--keep-models`), on disk. Plain node:fs, no tfjs: the main thread evicts and
 * exports them; the workers write them (model-save.ts).
 *
 * Layout: `<root>/<study>/trial-<n>/` holds one trial's model in tfjs's LayersModel format, as
 * `tf.io` and tfjs-node's `file://` handler write it: `model.json` (topology and weights manifest) and
 * `weights.bin`, plus `kept.json` (which epoch's weights these are, and their value). The folder is written
 * atomically, `kept.json` included, so a folder with `kept.json` is whole.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Reduce } from '../../core/objective.js';
import { checkpointDirFor } from '../checkpoint/checkpoint-paths.js';
import { writeAtomically } from '../checkpoint/atomic-write.js';

export const MODEL_JSON_FILE = 'model.json';
export const MODEL_WEIGHTS_FILE = 'weights.bin';
export const KEPT_FILE = 'kept.json';
/** A model folder being written, or one being replaced: never read as a kept model. */
export const MODEL_TEMP_PREFIX = '.tmp-model-';
export const MODEL_OLD_PREFIX = '.old-model-';
const TRIAL_FOLDER = /^trial-(\d+)$/;

/** What a worker is asked to keep of a trial's model (`TrialTask.keepModel`). */
export interface KeepModelTask {
  /** The trial's model folder (`KeptModels.slot`). */
  readonly dir: string;
  readonly reduce: Reduce;
  readonly direction: 'maximize' | 'minimize';
  /** With reduce `best`, for a trial resumed from a checkpoint: its best value before this run, which a new snapshot must beat. */
  readonly bestBefore?: number;
}

/** `kept.json`: which weights a kept model holds. */
export interface KeptModelInfo {
  /** The epoch (1-based) whose weights these are: the last one trained, or with reduce `best` the best one. */
  readonly epoch: number;
  /** The objective's value at that epoch. */
  readonly value: number;
  readonly metric: string;
  readonly reduce: Reduce;
}

/** What the worker says about a trial's model, beside its outcome. */
export type ModelKeeping =
  | { readonly kept: true; readonly info: KeptModelInfo }
  /** Asked to keep it but could not (e.g. a module's model with a layer tfjs can't serialise); the trial itself is fine. */
  | { readonly kept: false; readonly reason: string };

export class KeptModels {
  constructor(readonly root: string) {}

  /** `<root>/<study>/trial-<n>/`: where trial `n`'s model is kept. */
  slot(study: string, trialNumber: number): string {
    return checkpointDirFor(this.root, study, trialNumber);
  }

  studyFolder(study: string): string {
    return dirname(this.slot(study, 0));
  }

  /** The trial numbers that have a model folder (whole or not), ascending. */
  async folders(study: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(this.studyFolder(study));
    } catch {
      return [];
    }
    return names.map((n) => TRIAL_FOLDER.exec(n)?.[1]).filter((n): n is string => n !== undefined).map(Number).sort((a, b) => a - b);
  }

  /** The kept model's `kept.json`, or undefined when the trial has no whole model kept. */
  async info(study: string, trialNumber: number): Promise<KeptModelInfo | undefined> {
    try {
      return JSON.parse(await readFile(join(this.slot(study, trialNumber), KEPT_FILE), 'utf8')) as KeptModelInfo;
    } catch {
      return undefined;
    }
  }

  /** Removes trial `n`'s model (gone already is fine). */
  async discard(study: string, trialNumber: number): Promise<void> {
    await rm(this.slot(study, trialNumber), { recursive: true, force: true });
  }

  /** Removes the models of these trials (the engine's eviction of finished trials outside the top K). */
  async evict(study: string, trialNumbers: Iterable<number>): Promise<void> {
    await Promise.all([...trialNumbers].map((n) => this.discard(study, n)));
  }

  /** Removes every model of the study. */
  async discardStudy(study: string): Promise<void> {
    await rm(this.studyFolder(study), { recursive: true, force: true });
  }

  /**
   * Writes trial `n`'s kept model to `<dest>/trial-<n>/` (model.json, weights.bin and `config` as config.json),
   * atomically; an earlier export there is replaced. Undefined, writing nothing, when no model of it is kept.
   */
  async exportTo(study: string, trialNumber: number, dest: string, config: object): Promise<string | undefined> {
    const from = this.slot(study, trialNumber);
    if ((await this.info(study, trialNumber)) === undefined) return undefined;
    let model: Buffer;
    let weights: Buffer;
    try {
      [model, weights] = await Promise.all([readFile(join(from, MODEL_JSON_FILE)), readFile(join(from, MODEL_WEIGHTS_FILE))]);
    } catch {
      return undefined; // evicted between the check and the read
    }
    const configBytes = new TextEncoder().encode(`${JSON.stringify(config, null, 2)}\n`);
    return writeModelFolder(dest, `trial-${trialNumber}`, [[MODEL_WEIGHTS_FILE, [weights]], [MODEL_JSON_FILE, [model]], ['config.json', [configBytes]]]);
  }
}

/**
 * Writes `<parent>/<name>/` with `files` atomically and durably (checkpoints' one atomic write), replacing an
 * earlier folder of that name; the replaced one, moved aside, is then removed.
 */
export async function writeModelFolder(parent: string, name: string, files: readonly (readonly [string, readonly Uint8Array[]])[]): Promise<string> {
  const final = await writeAtomically(parent, name, { kind: 'folder', files }, { tempPrefix: MODEL_TEMP_PREFIX, asidePrefix: MODEL_OLD_PREFIX });
  const aside = (await readdir(parent)).filter((n) => n.startsWith(MODEL_OLD_PREFIX));
  await Promise.all(aside.map((n) => rm(join(parent, n), { recursive: true, force: true })));
  return final;
}
