import { dirname, join } from 'node:path';
import { FileCheckpointStore, KeptModels } from '../execution/index.js';
import { isPostgresUrl } from '../storage/index.js';

/** The folder beside the database file; `results` for :memory: and a server URL (never a folder named after the URL, password and all). */
function besideStorage(storagePath: string): string {
  return storagePath === ':memory:' || isPostgresUrl(storagePath) ? 'results' : dirname(storagePath);
}

/** Where a sweep on `storagePath` keeps checkpoints by default: `checkpoints/` beside the database file (see besideStorage). */
export function defaultCheckpointRoot(storagePath: string): string {
  return join(besideStorage(storagePath), 'checkpoints');
}

/** The folder holding every checkpoint of a study (`<root>/<study>/`), with the study name made path-safe. */
export function studyCheckpointDir(storagePath: string, study: string, root = defaultCheckpointRoot(storagePath)): string {
  return new FileCheckpointStore(root).studyFolder(study);
}

/** Removes a study's checkpoints; a study without any is fine. Returns their folder. */
export async function removeStudyCheckpoints(storagePath: string, study: string, root = defaultCheckpointRoot(storagePath)): Promise<string> {
  const store = new FileCheckpointStore(root);
  await store.discardStudy(study);
  return store.studyFolder(study);
}

/** Where a sweep on `storagePath` keeps trained models (`--keep-models`): `models/` beside the database (see besideStorage). */
export function defaultModelRoot(storagePath: string): string {
  return join(besideStorage(storagePath), 'models');
}

/** The kept models of the studies in `storagePath`, under `root` (default `models/` beside the database). */
export function keptModelsFor(storagePath: string, root = defaultModelRoot(storagePath)): KeptModels {
  return new KeptModels(root);
}
