/**
 * A CheckpointStore that lives on the main thread and that worker threads reach through their trial's MessagePort
 * (the port that carries epochs and decisions). For stores that must not be opened in a worker: the database
 * store, whose connection is the tuner process's one connection (issue 13 §4: never one per worker thread).
 *
 * The main thread registers its real store with `serveFromMainThread` and puts the spec it returns in each
 * TrialTask. In the main thread, `checkpointStoreFor(spec)` is that store itself (the tests' in-process runner).
 * In a worker, it is a `PortCheckpointStore` on the port `bindTrialPort` gave it: each call goes to the pool as a
 * request, the pool answers it with the real store (`answerCheckpointRequest`), and weights travel both ways in a
 * transferred ArrayBuffer, never a structured clone. No tfjs, no I/O here.
 */
import { threadId, type MessagePort } from 'node:worker_threads';
import { ExecutionError } from '../../core/errors.js';
import { errorMessage } from '../failures.js';
import type { CheckpointManifest } from './checkpoint-format.js';
import type { SavedState } from './objective-state.js';
import type { CheckpointDraft, CheckpointKind, CheckpointOf, CheckpointStore, CheckpointStoreSpec } from './store.js';

/** One CheckpointStore call, as a worker sends it. A model draft's data is one Uint8Array over a transferred buffer. */
export type CheckpointCall =
  | { readonly op: 'write'; readonly slot: string; readonly draft: CheckpointDraft }
  | { readonly op: 'read'; readonly ref: string; readonly kind: CheckpointKind }
  | { readonly op: 'locate'; readonly recorded: string; readonly slot: string }
  | { readonly op: 'discard'; readonly slot: string }
  | { readonly op: 'discardStudy'; readonly study: string };

export interface CheckpointRequest {
  readonly type: 'checkpoint';
  /** The main-thread store's id (its spec's). */
  readonly store: string;
  /** Matches the reply to its request (a worker may have several calls out). */
  readonly id: number;
  readonly call: CheckpointCall;
}

/** What a call returns: a ref, no ref, nothing, a state, or a model checkpoint (weights over a transferred buffer). */
export type CheckpointValue = string | undefined | SavedState | { readonly manifest: CheckpointManifest; readonly weights: Uint8Array };

export type CheckpointReply =
  | { readonly type: 'checkpoint-reply'; readonly id: number; readonly ok: true; readonly value: CheckpointValue }
  /** The error's message as the store threw it (`checkpoint <ref>: …` for a bad read). */
  | { readonly type: 'checkpoint-reply'; readonly id: number; readonly ok: false; readonly message: string };

const served = new Map<string, CheckpointStore>();
let made = 0;

/** Serves `store` to worker threads; put the returned spec in TrialTasks. Undo with `stopServing`. */
export function serveFromMainThread(store: CheckpointStore): CheckpointStoreSpec {
  const id = `${process.pid}.${threadId}.${++made}`;
  served.set(id, store);
  return { kind: 'main-thread', id };
}

export function stopServing(spec: CheckpointStoreSpec): void {
  if (spec.kind === 'main-thread') served.delete(spec.id);
}

/** The store a main-thread spec names, if it is served from this thread. */
export function servedStore(id: string): CheckpointStore | undefined {
  return served.get(id);
}

/** `bytes` copied into an ArrayBuffer of their own, which can be transferred without detaching anyone else's. */
function ownBuffer(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(chunks.reduce((n, c) => n + c.byteLength, 0)));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

let trialPort: MessagePort | undefined;

/** Worker side: main-thread stores reach the main thread over `port` until the returned function is called. */
export function bindTrialPort(port: MessagePort): () => void {
  trialPort = port;
  return () => {
    if (trialPort === port) trialPort = undefined;
  };
}

/** The store for a main-thread spec in this thread: the real one where it is served, else one over the trial's port. */
export function mainThreadStore(spec: Extract<CheckpointStoreSpec, { kind: 'main-thread' }>): CheckpointStore {
  const store = served.get(spec.id);
  if (store !== undefined) return store;
  if (trialPort === undefined) {
    throw new ExecutionError(`checkpoint store ${spec.id} is served by its tuner's main thread, and this thread has no trial port to reach it`);
  }
  return new PortCheckpointStore(spec, trialPort);
}

let calls = 0;

/** Worker side of a main-thread store: every call is a request on the trial's port, answered by the pool. */
export class PortCheckpointStore implements CheckpointStore {
  constructor(
    readonly spec: Extract<CheckpointStoreSpec, { kind: 'main-thread' }>,
    private readonly port: MessagePort,
  ) {}

  slot(): string {
    throw new ExecutionError('a main-thread checkpoint store names slots on the main thread only (the engine puts them in the TrialTask)');
  }

  async locate(recorded: string, slot: string): Promise<string | undefined> {
    return (await this.call({ op: 'locate', recorded, slot })) as string | undefined;
  }

  async write(slot: string, draft: CheckpointDraft): Promise<string> {
    if (draft.kind === 'state') return (await this.call({ op: 'write', slot, draft })) as string;
    // One copy into a buffer of our own, which is then moved, not cloned: the writer may reuse its tensors' data.
    const data = ownBuffer(draft.chunks);
    return (await this.call({ op: 'write', slot, draft: { kind: 'model', manifest: draft.manifest, chunks: [data] } }, [data.buffer as ArrayBuffer])) as string;
  }

  async read<K extends CheckpointKind>(ref: string, kind: K): Promise<CheckpointOf[K]> {
    const value = await this.call({ op: 'read', ref, kind });
    if (kind === 'state') return value as CheckpointOf[K];
    const model = value as { manifest: CheckpointManifest; weights: Uint8Array };
    return { manifest: model.manifest, weights: Buffer.from(model.weights.buffer, model.weights.byteOffset, model.weights.byteLength) } as CheckpointOf[K];
  }

  async discard(slot: string): Promise<void> {
    await this.call({ op: 'discard', slot });
  }

  async discardStudy(study: string): Promise<void> {
    await this.call({ op: 'discardStudy', study });
  }

  private call(call: CheckpointCall, transfer: ArrayBuffer[] = []): Promise<CheckpointValue> {
    const id = ++calls;
    const port = this.port;
    return new Promise((resolve, reject) => {
      const onMessage = (msg: { type?: unknown } & Partial<CheckpointReply>): void => {
        if (msg.type !== 'checkpoint-reply' || msg.id !== id) return;
        cleanup();
        const reply = msg as CheckpointReply;
        if (reply.ok) resolve(reply.value);
        else reject(new Error(reply.message));
      };
      const onClose = (): void => {
        cleanup();
        reject(new ExecutionError(`checkpoint ${call.op}: the trial's port to the main thread closed before it answered`));
      };
      const cleanup = (): void => {
        port.off('message', onMessage);
        port.off('close', onClose);
      };
      port.on('message', onMessage);
      port.on('close', onClose);
      const request: CheckpointRequest = { type: 'checkpoint', store: this.spec.id, id, call };
      port.postMessage(request, transfer);
    });
  }
}

/**
 * Main-thread side: runs a worker's call on the served store and posts the answer with `post`, moving a model's
 * weights in a buffer of their own (the store may keep its copy). Never throws: a failure is the reply.
 */
export async function answerCheckpointRequest(req: CheckpointRequest, post: (reply: CheckpointReply, transfer: ArrayBuffer[]) => void): Promise<void> {
  let reply: CheckpointReply;
  const transfer: ArrayBuffer[] = [];
  try {
    const store = served.get(req.store);
    if (store === undefined) throw new ExecutionError(`checkpoint store ${req.store} is not served by this thread (any more)`);
    const call = req.call;
    let value: CheckpointValue;
    switch (call.op) {
      case 'write':
        value = await store.write(call.slot, call.draft);
        break;
      case 'read':
        if (call.kind === 'state') value = await store.read(call.ref, 'state');
        else {
          const model = await store.read(call.ref, 'model');
          const weights = ownBuffer([model.weights]);
          transfer.push(weights.buffer as ArrayBuffer);
          value = { manifest: model.manifest, weights };
        }
        break;
      case 'locate':
        value = await store.locate(call.recorded, call.slot);
        break;
      case 'discard':
        await store.discard(call.slot);
        value = undefined;
        break;
      case 'discardStudy':
        await store.discardStudy(call.study);
        value = undefined;
        break;
    }
    reply = { type: 'checkpoint-reply', id: req.id, ok: true, value };
  } catch (e) {
    reply = { type: 'checkpoint-reply', id: req.id, ok: false, message: errorMessage(e) };
    transfer.length = 0;
  }
  post(reply, transfer);
}
