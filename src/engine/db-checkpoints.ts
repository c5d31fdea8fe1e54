/**
 * The CheckpointStore over a storage's own checkpoint tables (Storage.checkpointBlobs: PostgreSQL's bytea chunks),
 * so a trial paused on one machine resumes on any other that reaches the database (issue 13 §5). It runs on the
 * main thread, on the tuner's one connection; worker threads reach it through their trial's port (its spec is a
 * main-thread one, see execution/checkpoint/main-thread-store.ts).
 *
 * Names: a slot is `db:<study, URI-encoded>/trial-<n>`; a ref is `<slot>/ckpt-<epochs>` (model) or
 * `<slot>/state-<step>` (an objective's state). Rewriting the same step gives the same ref, as the file store does.
 */
import { ExecutionError } from '../core/errors.js';
import {
  parseManifest, sealManifest, serveFromMainThread, stateJson, weightsMismatch,
  type CheckpointDraft, type CheckpointKind, type CheckpointOf, type CheckpointStore, type CheckpointStoreSpec, type SavedState,
} from '../execution/index.js';
import type { JsonValue } from '../execution/index.js';
import type { CheckpointBlobs, CheckpointKey } from '../storage/types.js';

const PREFIX = 'db:';
const NAME = /^db:([^/]*)\/trial-(\d+)(?:\/(ckpt|state)-(\d+))?$/;
const STATE_FORMAT = 'tune-objective-state';

interface Parsed {
  readonly study: string;
  readonly trialNumber: number;
  readonly key?: CheckpointKey;
}

/** A slot or ref of this store, or undefined for anything else (a file path recorded by an earlier run). */
function parse(name: string): Parsed | undefined {
  const m = NAME.exec(name);
  if (m === null) return undefined;
  let study: string;
  try {
    study = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  const trialNumber = Number(m[2]);
  if (m[3] === undefined) return { study, trialNumber };
  return { study, trialNumber, key: { study, trialNumber, kind: m[3] === 'ckpt' ? 'model' : 'state', step: Number(m[4]) } };
}

const kindWords = (kind: CheckpointKind): string => (kind === 'model' ? 'a model checkpoint' : 'an objective state');

export class DatabaseCheckpointStore implements CheckpointStore {
  readonly spec: CheckpointStoreSpec;

  constructor(private readonly blobs: CheckpointBlobs) {
    this.spec = serveFromMainThread(this);
  }

  slot(study: string, trialNumber: number): string {
    if (!Number.isInteger(trialNumber) || trialNumber < 0) throw new ExecutionError(`trial number must be an integer >= 0, got ${trialNumber}`);
    return `${PREFIX}${encodeURIComponent(study)}/trial-${trialNumber}`;
  }

  async locate(recorded: string, slot: string): Promise<string | undefined> {
    const r = parse(recorded);
    if (r?.key !== undefined && (await this.blobs.has(r.key))) return recorded;
    const s = parse(slot);
    if (s === undefined) return undefined;
    const newest = await this.blobs.newest(s.study, s.trialNumber);
    return newest === undefined ? undefined : this.refOf(newest);
  }

  async write(slot: string, draft: CheckpointDraft): Promise<string> {
    const s = this.slotOf(slot);
    if (draft.kind === 'model') {
      const manifest = sealManifest(draft.manifest, draft.chunks); // throws when the data doesn't fit its specs
      const key: CheckpointKey = { ...s, kind: 'model', step: draft.manifest.epochs };
      await this.blobs.write(key, JSON.stringify(manifest), draft.chunks);
      return this.refOf(key);
    }
    const saved = draft.saved;
    const key: CheckpointKey = { ...s, kind: 'state', step: saved.step };
    const header = JSON.stringify({ format: STATE_FORMAT, version: 1, step: saved.step, seed: saved.seed });
    const body = saved.state === undefined ? '' : stateJson(saved.state);
    await this.blobs.write(key, header, [Buffer.from(body)]);
    return this.refOf(key);
  }

  async read<K extends CheckpointKind>(ref: string, kind: K): Promise<CheckpointOf[K]> {
    const fail = (why: string): never => {
      throw new Error(`checkpoint ${ref}: ${why}`);
    };
    const key = parse(ref)?.key;
    if (key === undefined) return fail('not found (not a database checkpoint: was it written with another --checkpoint-dir?)');
    if (key.kind !== kind) return fail(`is ${kindWords(key.kind)}, not ${kindWords(kind)} (did the task change?)`);
    const blob = await this.blobs.read(key, ref); // checks chunks, size and sha-256
    let header: unknown;
    try {
      header = JSON.parse(blob.manifest);
    } catch (e) {
      return fail(`bad manifest: ${(e as Error).message}`);
    }
    if (kind === 'model') {
      let manifest;
      try {
        manifest = parseManifest(header);
      } catch (e) {
        return fail(`bad manifest: ${(e as Error).message}`);
      }
      const bad = weightsMismatch(manifest, blob.data, 'its data');
      if (bad !== undefined) fail(bad);
      return { manifest, weights: blob.data } as CheckpointOf[K];
    }
    const h = header as Partial<Record<'format' | 'step' | 'seed', unknown>> | null;
    if (typeof h !== 'object' || h === null || h.format !== STATE_FORMAT) return fail(`not a ${STATE_FORMAT} header`);
    if (h.step !== key.step || typeof h.seed !== 'number') return fail(`bad step or seed in its header`);
    const text = blob.data.toString('utf8');
    let state: JsonValue | undefined;
    try {
      state = text === '' ? undefined : (JSON.parse(text) as JsonValue);
    } catch (e) {
      return fail(`bad state: ${(e as Error).message}`);
    }
    const saved: SavedState = { step: key.step, seed: h.seed, ...(state !== undefined ? { state } : {}) };
    return saved as CheckpointOf[K];
  }

  async discard(slot: string): Promise<void> {
    const s = parse(slot);
    if (s !== undefined) await this.blobs.discard(s.study, s.trialNumber);
  }

  discardStudy(study: string): Promise<void> {
    return this.blobs.discardStudy(study);
  }

  private slotOf(slot: string): { study: string; trialNumber: number } {
    const s = parse(slot);
    if (s === undefined || s.key !== undefined) throw new ExecutionError(`checkpoint slot ${slot}: not a slot of the database store`);
    return { study: s.study, trialNumber: s.trialNumber };
  }

  private refOf(key: CheckpointKey): string {
    return `${this.slot(key.study, key.trialNumber)}/${key.kind === 'model' ? 'ckpt' : 'state'}-${key.step}`;
  }
}
