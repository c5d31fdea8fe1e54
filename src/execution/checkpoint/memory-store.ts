/**
 * A CheckpointStore in this thread's memory: for runners that run trials in the calling thread (the tests' fake
 * runner) and for checking the store contract without a disk. Its spec resolves only in the thread that made it,
 * so a worker-thread pool can't use it (`checkpointStoreFor` says so).
 */
import { threadId } from 'node:worker_threads';
import { ExecutionError } from '../../core/errors.js';
import { sealManifest, weightsMismatch } from './checkpoint-format.js';
import type { CheckpointDraft, CheckpointKind, CheckpointOf, CheckpointStore, CheckpointStoreSpec } from './store.js';

type Stored = { readonly ref: string } & ({ readonly kind: 'model'; readonly value: CheckpointOf['model'] } | { readonly kind: 'state'; readonly value: CheckpointOf['state'] });

const stores = new Map<string, MemoryCheckpointStore>();
let made = 0;

export class MemoryCheckpointStore implements CheckpointStore {
  readonly spec: CheckpointStoreSpec;
  /** Each slot's checkpoints; a write supersedes the slot's older ones, so it holds the newest only. */
  private readonly slots = new Map<string, Stored>();

  constructor() {
    const id = `${process.pid}.${threadId}.${++made}`;
    this.spec = { kind: 'memory', id };
    stores.set(id, this);
  }

  /** The store a memory spec names, if it was made in this thread. */
  static byId(id: string): MemoryCheckpointStore | undefined {
    return stores.get(id);
  }

  slot(study: string, trialNumber: number): string {
    if (!Number.isInteger(trialNumber) || trialNumber < 0) throw new ExecutionError(`trial number must be an integer >= 0, got ${trialNumber}`);
    return `memory:${this.spec.kind === 'memory' ? this.spec.id : ''}/${encodeURIComponent(study)}/trial-${trialNumber}`;
  }

  async locate(recorded: string, slot: string): Promise<string | undefined> {
    return this.find(recorded) !== undefined ? recorded : this.slots.get(slot)?.ref;
  }

  async write(slot: string, draft: CheckpointDraft): Promise<string> {
    let stored: Stored;
    if (draft.kind === 'model') {
      const manifest = sealManifest(draft.manifest, draft.chunks);
      // A copy: the writer may reuse its buffers (tensor data) once this resolves.
      stored = { kind: 'model', ref: `${slot}/ckpt-${draft.manifest.epochs}`, value: { manifest, weights: Buffer.concat(draft.chunks) } };
    } else {
      // Through JSON, as the file store does: the same values come back, and later changes to the object don't leak in.
      const saved = JSON.parse(JSON.stringify(draft.saved)) as CheckpointOf['state'];
      stored = { kind: 'state', ref: `${slot}/state-${draft.saved.step}.json`, value: saved };
    }
    this.slots.set(slot, stored);
    return stored.ref;
  }

  async read<K extends CheckpointKind>(ref: string, kind: K): Promise<CheckpointOf[K]> {
    const stored = this.find(ref);
    if (stored === undefined) throw new Error(`checkpoint ${ref}: not found (missing checkpoint)`);
    if (stored.kind !== kind) throw new Error(`checkpoint ${ref}: is ${stored.kind === 'model' ? 'a model checkpoint' : 'an objective state'}, not ${kind === 'model' ? 'a model checkpoint' : 'an objective state'} (did the task change?)`);
    if (stored.kind === 'state') return structuredClone(stored.value) as CheckpointOf[K];
    const bad = weightsMismatch(stored.value.manifest, stored.value.weights);
    if (bad !== undefined) throw new Error(`checkpoint ${ref}: ${bad}`);
    return { manifest: stored.value.manifest, weights: Buffer.from(stored.value.weights) } as CheckpointOf[K];
  }

  async discard(slot: string): Promise<void> {
    this.slots.delete(slot);
  }

  async discardStudy(study: string): Promise<void> {
    const prefix = this.slot(study, 0).replace(/trial-0$/, '');
    for (const slot of [...this.slots.keys()]) if (slot.startsWith(prefix)) this.slots.delete(slot);
  }

  private find(ref: string): Stored | undefined {
    for (const stored of this.slots.values()) if (stored.ref === ref) return stored;
    return undefined;
  }
}
