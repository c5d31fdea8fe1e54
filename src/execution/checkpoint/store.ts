/**
 * Where paused trials keep their checkpoints: the one interface the engine and the workers use, so the engine
 * never builds a path or deletes a file. Stores: files (file-store.ts, the default), the database's bytea chunks
 * (the engine's DatabaseCheckpointStore over Storage.checkpointBlobs, for PostgreSQL), memory. No tfjs, no I/O here.
 *
 * ## The contract (checked by test/execution/checkpoint-store-contract.ts over every store)
 *
 * Names. A **slot** is the place of one trial's checkpoints; a **ref** names one stored checkpoint. Both are plain
 * strings: slots travel to worker threads in `TrialTask.checkpointDir`, refs come back in the outcome's
 * `checkpoint`, are stored as `TrialRecord.checkpoint`, and return in `TrialTask.resumeFrom`. Only the store that
 * made them reads meaning into them. A slot is a pure function of (study name, trial number): stable across runs
 * and processes, different for every pair.
 *
 * Threads. A store is rebuilt from its `spec` with `checkpointStoreFor` in whichever thread needs it (spec is
 * structured-clone-safe and travels in `TrialTask.checkpointStore`). The main thread calls `slot`, `locate` and
 * `discard`; the worker that snapshots a model's tensors calls `write`, the worker that restores them `read`.
 * - The file store opens in any thread from its spec alone: the bytes never cross the thread boundary.
 * - A store that must stay on the main thread (the database store: one connection per tuner process, on its main
 *   thread, never one per worker thread, issue 13 §4) is served from there (main-thread-store.ts): its spec is
 *   `{ kind: 'main-thread', id }`, and in a worker `checkpointStoreFor` gives a stand-in that sends each call over
 *   the trial's MessagePort to the pool, which answers it with the real store. The weights cross the boundary
 *   once each way, in a transferred ArrayBuffer (moved, not cloned). In the main thread the same spec is the real
 *   store, so runners that run trials in that thread (the tests' fake runner) use it directly.
 * - The in-memory store resolves only in the thread that created it, for runners that run trials in that thread.
 *
 * Methods.
 * - `write(slot, draft)` is atomic and durable: once it resolves, `read(ref)` returns exactly the draft's data; if
 *   the process dies during it, the slot's previous checkpoint is still readable. A newer write supersedes the
 *   slot's older checkpoints (the store may remove them), and `locate` then finds the newest.
 * - `read(ref, kind)` verifies what it returns (sizes, digest, format) and throws an Error whose message starts
 *   `checkpoint <ref>: ` for a missing, damaged or wrong-kind checkpoint.
 * - `locate(recorded, slot)`: `recorded` if it is still stored, else the newest checkpoint in `slot` (a crash
 *   between a worker's write and the engine storing the new ref leaves `recorded` superseded), else undefined.
 * - `discard(slot)` removes the slot and everything in it, half-written data included; a missing slot is fine.
 * - `discardStudy(study)` discards every slot of that study (`tune delete`), and no other study's; a study with no
 *   checkpoints is fine.
 */
import type { ManifestDraft } from './checkpoint-format.js';
import type { StoredCheckpoint } from './checkpoint-store.js';
import type { SavedState } from './objective-state.js';

/** A trial's checkpoint on its way into a store. */
export type CheckpointDraft =
  /** A trained model's weights and optimizer state: the manifest without its digest, and the values in manifest order. */
  | { readonly kind: 'model'; readonly manifest: ManifestDraft; readonly chunks: readonly Uint8Array[] }
  /** A task module objective's JSON state (`trial.checkpoint(state)`), or only the step it reached. */
  | { readonly kind: 'state'; readonly saved: SavedState };

export type CheckpointKind = CheckpointDraft['kind'];

/** What `read` returns for each kind; a model's `weights` are every value, back to back in manifest order. */
export interface CheckpointOf {
  readonly model: StoredCheckpoint;
  readonly state: SavedState;
}

/** Plain data from which any thread rebuilds a store (`checkpointStoreFor`). */
export type CheckpointStoreSpec =
  /** Slots and refs are paths; `root` only places new slots (`<root>/<study>/trial-<n>`). */
  | { readonly kind: 'files'; readonly root: string }
  /** Checkpoints in this thread's memory: only runners that run trials in the creating thread can use it. */
  | { readonly kind: 'memory'; readonly id: string }
  /** A store served by the tuner's main thread (main-thread-store.ts); workers reach it over their trial's port. */
  | { readonly kind: 'main-thread'; readonly id: string };

export interface CheckpointStore {
  readonly spec: CheckpointStoreSpec;
  /** The slot for trial `trialNumber` of study `study`. Pure: no I/O. */
  slot(study: string, trialNumber: number): string;
  /** The checkpoint a trial resumes from: `recorded` if still stored, else the slot's newest, else undefined. */
  locate(recorded: string, slot: string): Promise<string | undefined>;
  /** Stores a checkpoint in `slot` atomically, superseding older ones there; returns its ref. */
  write(slot: string, draft: CheckpointDraft): Promise<string>;
  /** The checkpoint `ref` names, verified; throws `checkpoint <ref>: …` when it is missing, damaged or of another kind. */
  read<K extends CheckpointKind>(ref: string, kind: K): Promise<CheckpointOf[K]>;
  /** Removes the slot and all in it; a slot that is already gone is fine. */
  discard(slot: string): Promise<void>;
  /** Removes every slot of `study`; other studies' are left alone. */
  discardStudy(study: string): Promise<void>;
}
