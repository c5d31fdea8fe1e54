/** Task-module test helpers: fixture paths, trial tasks for a module, and throwaway modules written to a temp dir. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Params } from '../../src/core/types.js';
import type { TrialTask } from '../../src/execution/types.js';
import type { TaskSpec } from '../../src/space/types.js';
import { tempDir } from '../helpers/cli.js';

export const moduleFixture = (name: string): string => fileURLToPath(new URL(`../fixtures/modules/${name}`, import.meta.url));
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let nextId = 1000;
export function moduleTask(module: string, o: { params?: Params; budget?: number; metric?: string; task?: Partial<TaskSpec>; checkpointDir?: string; resumeFrom?: string } = {}): TrialTask {
  return {
    trialId: nextId++,
    params: o.params ?? {},
    task: { module, validationSplit: 0.2, model: { type: 'mlp', hidden: [8] }, optimizer: 'adam', epochs: 2, ...o.task },
    budget: o.budget ?? 2,
    seed: 5,
    splitSeed: 9,
    metric: o.metric ?? 'score',
    ...(o.checkpointDir !== undefined ? { checkpointDir: o.checkpointDir } : {}),
    ...(o.resumeFrom !== undefined ? { resumeFrom: o.resumeFrom } : {}),
  };
}

/** Writes a module with this source into a fresh temp dir and returns its path. */
export function writeModule(name: string, source: string): string {
  const file = join(tempDir('tune-module-'), name);
  writeFileSync(file, source);
  return file;
}
