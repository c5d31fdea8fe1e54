/**
 * A custom objective's checkpoint: the JSON state it saved with `trial.checkpoint(state)` and the step it belongs
 * to, in `<checkpointDir>/state-<step>.json`. Written to a temp file and renamed, so a reader never sees half of one.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../failures.js';
import type { JsonValue } from '../task-module/task-module-types.js';

const FORMAT = 'tune-objective-state';
const NAME = /^state-\d+\.json$/;
const TEMP_PREFIX = '.tmp-state-';

export interface SavedState {
  readonly step: number;
  readonly seed: number;
  /** Absent when the trial paused without saving any state: it resumes at `step` and restores nothing. */
  readonly state?: JsonValue;
}

/** The state as JSON text, or why it can't be (a cycle, a BigInt, a function or undefined at the top). */
export function stateJson(state: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(state);
  } catch (e) {
    throw new Error(`trial.checkpoint(): the state must be JSON-serialisable: ${errorMessage(e)}`);
  }
  if (text === undefined) throw new Error(`trial.checkpoint(): the state must be JSON-serialisable, got ${typeof state}`);
  return text;
}

/** Writes the state of `step` into `dir` (created if need be), removes older ones, and returns the file's path. */
export async function writeObjectiveState(dir: string, saved: SavedState): Promise<string> {
  const state = saved.state === undefined ? '' : `,"state":${stateJson(saved.state)}`;
  const text = `{"format":"${FORMAT}","version":1,"step":${saved.step},"seed":${saved.seed}${state}}\n`;
  await mkdir(dir, { recursive: true });
  const name = `state-${saved.step}.json`;
  const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
  const file = await open(temp, 'w');
  try {
    await file.writeFile(text);
    await file.sync(); // the rename must not reach the disk before the data
  } finally {
    await file.close();
  }
  await rename(temp, join(dir, name));
  const stale = (await readdir(dir)).filter((n) => n !== name && (NAME.test(n) || n.startsWith(TEMP_PREFIX)));
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return join(dir, name);
}

/** Reads a state file written by `writeObjectiveState` for a trial with this seed; every failure names the path. */
export async function readObjectiveState(path: string, seed: number): Promise<SavedState> {
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path}: ${why}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'EISDIR' ? 'is a model checkpoint, not an objective state (did the task change?)' : code === 'ENOENT' ? 'not found' : errorMessage(e));
  }
  const r = raw as Partial<Record<'format' | 'step' | 'seed' | 'state', unknown>> | null;
  if (typeof raw !== 'object' || r === null || r.format !== FORMAT) return fail(`not a ${FORMAT} file`);
  if (!Number.isInteger(r.step) || (r.step as number) < 0) return fail(`bad step ${String(r.step)}`);
  if (r.seed !== seed) return fail(`it was written by a trial with seed ${String(r.seed)}, this trial's seed is ${seed}`);
  return { step: r.step as number, seed, ...(r.state !== undefined ? { state: r.state as JsonValue } : {}) };
}
