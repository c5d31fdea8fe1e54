/**
 * The file store's paths (file-store.ts), and removing them. Plain node:fs, no tfjs: the main thread uses it.
 *
 * Layout: `<root>/<study>/trial-<n>/` is a trial's checkpointDir; a pause writes `ckpt-<epochs>/` in it
 * (manifest.json + weights.bin), and the outcome's `checkpoint` is that folder.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ExecutionError } from '../../core/errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';
/** Finished checkpoints are `ckpt-<epochs>`; anything being written or replaced starts with a dot. */
export const CHECKPOINT_NAME = /^ckpt-\d+$/;
export const TEMP_PREFIX = '.tmp-ckpt-';
export const OLD_PREFIX = '.old-ckpt-';

export const checkpointName = (epochs: number): string => `ckpt-${epochs}`;

/**
 * One path segment for a study name: bytes outside [A-Za-z0-9_.-] are %-escaped, and so are the dots of a name
 * made only of dots, so a name can neither climb out of `root` nor clash with another name.
 */
function safeSegment(name: string): string {
  const escape = (c: string): string => [...Buffer.from(c, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  const s = name.replace(/[^A-Za-z0-9_.-]/gu, escape);
  return s === '' || /^\.+$/.test(s) ? s.replace(/\./g, '%2E') || '%' : s;
}

/** The folder a trial's checkpoints go in (its `TrialTask.checkpointDir`). */
export function checkpointDirFor(root: string, study: string, trialNumber: number): string {
  if (!Number.isInteger(trialNumber) || trialNumber < 0) throw new ExecutionError(`trial number must be an integer >= 0, got ${trialNumber}`);
  return join(root, safeSegment(study), `trial-${trialNumber}`);
}

/** Remove a checkpoint (or a trial's whole checkpoint folder); a path that is already gone is fine. */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/**
 * The checkpoint to resume from: `recorded` if it still exists, else the newest one in the trial's folder
 * (`ckpt-<epochs>` or `state-<step>.json`). A crash between writing a new checkpoint (which removes the older
 * one) and storing its path leaves the stored path dangling while the newer checkpoint sits beside it.
 */
export async function resumableCheckpoint(recorded: string, dir: string): Promise<string | undefined> {
  if (existsSync(recorded)) return recorded;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const step = (name: string) => Number(/^(?:ckpt-(\d+)|state-(\d+)\.json)$/.exec(name)?.slice(1).find((x) => x !== undefined) ?? Number.NaN);
  const newest = names.filter((n) => Number.isInteger(step(n))).sort((a, b) => step(b) - step(a))[0];
  return newest === undefined ? undefined : join(dir, newest);
}
