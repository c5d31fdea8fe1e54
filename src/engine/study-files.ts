import { dirname, join } from 'node:path';
import { checkpointDirFor, removeCheckpoint } from '../execution/index.js';

/** Where a sweep on `storagePath` keeps checkpoints by default: `checkpoints/` beside the database (as `runSweep` does). */
export function defaultCheckpointRoot(storagePath: string): string {
  return join(storagePath === ':memory:' ? 'results' : dirname(storagePath), 'checkpoints');
}

/** The folder holding every checkpoint of a study (`<root>/<study>/`), with the study name made path-safe. */
export function studyCheckpointDir(storagePath: string, study: string, root = defaultCheckpointRoot(storagePath)): string {
  return dirname(checkpointDirFor(root, study, 0));
}

/** Removes a study's checkpoint folder; one that doesn't exist is fine. Returns the folder. */
export async function removeStudyCheckpoints(storagePath: string, study: string, root?: string): Promise<string> {
  const dir = studyCheckpointDir(storagePath, study, root);
  await removeCheckpoint(dir);
  return dir;
}
