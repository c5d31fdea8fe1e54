/** Rebuilding a CheckpointStore from its spec, in whichever thread needs it (see store.ts on threads). No tfjs. */
import { ExecutionError } from '../../core/errors.js';
import { FileCheckpointStore } from './file-store.js';
import { mainThreadStore } from './main-thread-store.js';
import { MemoryCheckpointStore } from './memory-store.js';
import type { CheckpointStore, CheckpointStoreSpec } from './store.js';

/** The store `spec` describes; without one, the file store (its slots and refs are paths, whatever its root). */
export function checkpointStoreFor(spec: CheckpointStoreSpec | undefined): CheckpointStore {
  if (spec === undefined || spec.kind === 'files') return new FileCheckpointStore(spec?.root ?? '.');
  if (spec.kind === 'main-thread') return mainThreadStore(spec);
  const store = MemoryCheckpointStore.byId(spec.id);
  if (store === undefined) {
    throw new ExecutionError(`in-memory checkpoint store ${spec.id} lives in another thread or process: run its trials in the thread that made it, or use a file store`);
  }
  return store;
}
