/**
 * A custom objective's checkpoint: the JSON state it saved with `trial.checkpoint(state)` and the step it belongs
 * to, in `<checkpointDir>/state-<step>.json`. Written as model checkpoints are (atomic-write.ts: temp file, fsync,
 * rename, fsync the folder), so a reader never sees half of one and both kinds are equally durable.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../failures.js';
import { writeAtomically } from './atomic-write.js';
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
  const name = `state-${saved.step}.json`;
  const path = await writeAtomically(dir, name, { kind: 'file', chunks: [Buffer.from(text)] }, { tempPrefix: TEMP_PREFIX });
  const stale = (await readdir(dir)).filter((n) => n !== name && (NAME.test(n) || n.startsWith(TEMP_PREFIX)));
  await Promise.all(stale.map((n) => rm(join(dir, n), { force: true })));
  return path;
}

/** Reads a state file written by `writeObjectiveState`; every failure names the path. */
export async function readObjectiveState(path: string): Promise<SavedState> {
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
  if (typeof r.seed !== 'number') return fail(`bad seed ${String(r.seed)}`);
  return { step: r.step as number, seed: r.seed, ...(r.state !== undefined ? { state: r.state as JsonValue } : {}) };
}

/** `saved` if a trial with this seed wrote it: a state only continues the trial that wrote it. */
export function stateOfTrial(saved: SavedState, ref: string, seed: number): SavedState {
  if (saved.seed !== seed) throw new Error(`checkpoint ${ref}: it was written by a trial with seed ${saved.seed}, this trial's seed is ${seed}`);
  return saved;
}
