/**
 * The file-system CheckpointStore. Layout: `<root>/<study>/trial-<n>/` is a trial's slot; a model checkpoint is
 * the folder `ckpt-<epochs>/` in it (manifest.json + weights.bin), an objective's state the file `state-<step>.json`;
 * a ref is that folder's or file's path. Plain node:fs, no tfjs: the main thread imports this through index.ts.
 */
import { dirname } from 'node:path';
import { readCheckpointFiles, writeCheckpointFiles } from './checkpoint-store.js';
import { checkpointDirFor, removeCheckpoint, resumableCheckpoint } from './checkpoint-paths.js';
import { readObjectiveState, writeObjectiveState } from './objective-state.js';
import type { CheckpointDraft, CheckpointKind, CheckpointOf, CheckpointStore, CheckpointStoreSpec } from './store.js';

export class FileCheckpointStore implements CheckpointStore {
  readonly spec: CheckpointStoreSpec;

  constructor(readonly root: string) {
    this.spec = { kind: 'files', root };
  }

  slot(study: string, trialNumber: number): string {
    return checkpointDirFor(this.root, study, trialNumber);
  }

  locate(recorded: string, slot: string): Promise<string | undefined> {
    return resumableCheckpoint(recorded, slot);
  }

  write(slot: string, draft: CheckpointDraft): Promise<string> {
    return draft.kind === 'model' ? writeCheckpointFiles(slot, draft.manifest, draft.chunks) : writeObjectiveState(slot, draft.saved);
  }

  async read<K extends CheckpointKind>(ref: string, kind: K): Promise<CheckpointOf[K]> {
    // The conditional can't be narrowed by TypeScript; each branch returns the kind it was asked for.
    return (kind === 'model' ? await readCheckpointFiles(ref) : await readObjectiveState(ref)) as CheckpointOf[K];
  }

  discard(slot: string): Promise<void> {
    return removeCheckpoint(slot);
  }

  discardStudy(study: string): Promise<void> {
    return removeCheckpoint(this.studyFolder(study));
  }

  /** `<root>/<study>/`: the folder that holds every slot of the study. */
  studyFolder(study: string): string {
    return dirname(checkpointDirFor(this.root, study, 0));
  }
}
