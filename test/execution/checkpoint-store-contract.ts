/**
 * The CheckpointStore contract (src/execution/checkpoint/store.ts): every store runs this same suite, as every
 * Storage runs test/storage/contract.ts. A new store (a database one) passes it before the engine may use it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { ManifestDraft } from '../../src/execution/checkpoint/checkpoint-format.js';
import { answerCheckpointRequest, checkpointStoreFor, type CheckpointDraft, type CheckpointStore, type CheckpointRequest } from '../../src/execution/index.js';

export interface StoreFixture {
  /** A fresh, empty store. */
  readonly make: () => CheckpointStore | Promise<CheckpointStore>;
  /**
   * Whether a worker thread can rebuild the store from its spec (false only for stores bound to one thread);
   * 'port': it can, over a trial's MessagePort answered by this thread (a store served from the main thread).
   */
  readonly crossesThreads: boolean | 'port';
}

/** A 2×3 float32 kernel filled with `fill` and an int32 'iter' scalar: 28 bytes in manifest order. */
export function modelDraft(epochs: number, fill = 1, seed = 5): Extract<CheckpointDraft, { kind: 'model' }> {
  const manifest: ManifestDraft = {
    format: 'tune-checkpoint',
    version: 1,
    epochs,
    seed,
    optimizer: 'Adam',
    model: [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }],
    optimizerWeights: [{ name: 'iter', shape: [], dtype: 'int32' }],
    optimizerExtras: [],
  };
  const chunks = [new Uint8Array(new Float32Array(6).fill(fill).buffer), new Uint8Array(new Int32Array([epochs * 10]).buffer)];
  return { kind: 'model', manifest, chunks };
}

const concat = (chunks: readonly Uint8Array[]): Buffer => Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
const namesRef = (ref: string) => (e: Error) => e.message.startsWith(`checkpoint ${ref}: `);

/** Runs one job in a fresh worker thread, with the store rebuilt there from its spec (see the fixture). */
function inWorker(message: Record<string, unknown>, viaPort = false): Promise<unknown> {
  // A plain Worker doesn't get tsx's ESM hooks from execArgv: register them in the thread, then load the .ts entry.
  const entry = new URL('../fixtures/execution/checkpoint-store-worker.ts', import.meta.url).href;
  const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  let port: MessagePort | undefined;
  let workerData: Record<string, unknown> = message;
  const transferList: MessagePort[] = [];
  if (viaPort) {
    // As the pool does for a trial: the worker's calls come back on this port, answered by this thread's store.
    const channel = new MessageChannel();
    port = channel.port1;
    port.on('message', (req: CheckpointRequest) => void answerCheckpointRequest(req, (reply, transfer) => port!.postMessage(reply, transfer)));
    workerData = { ...message, port: channel.port2 };
    transferList.push(channel.port2);
  }
  const worker = new Worker(code, { eval: true, workerData, transferList });
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ok: boolean; value?: unknown; error?: string }) => (m.ok ? resolve(m.value) : reject(new Error(m.error))));
    worker.once('error', reject);
  }).finally(() => {
    port?.close();
    return worker.terminate();
  });
}

export function checkpointStoreContract(name: string, fixture: StoreFixture): void {
  describe(`CheckpointStore contract: ${name}`, () => {
    test('a slot is a pure function of (study, trial number): stable, and different for every pair', async () => {
      const a = await fixture.make();
      const again = checkpointStoreFor(structuredClone(a.spec)); // the spec is plain, structured-clone-safe data
      assert.equal(a.slot('mnist', 3), a.slot('mnist', 3));
      assert.equal(again.slot('mnist', 3), a.slot('mnist', 3));
      const names = ['mnist', 'mnist2', '../mnist', '..', '.', '', '%', 'a/b', 'a%2Fb', 'ü'];
      const slots = names.flatMap((n) => [0, 1, 12].map((i) => a.slot(n, i)));
      assert.equal(new Set(slots).size, slots.length, 'two (study, trial) pairs share a slot');
      assert.throws(() => a.slot('s', -1), /trial number must be an integer >= 0/);
      assert.throws(() => a.slot('s', 1.5), /trial number/);
    });

    test('a model checkpoint reads back exactly as written, verified, and the writer may reuse its buffers', async () => {
      const store = await fixture.make();
      const draft = modelDraft(2, 0.5);
      const expected = concat(draft.chunks);
      const ref = await store.write(store.slot('s', 0), draft);
      new Float32Array(draft.chunks[0]!.buffer).fill(9); // the worker's tensor data, reused after the write
      const { manifest, weights } = await store.read(ref, 'model');
      assert.deepEqual(weights, expected);
      assert.equal(manifest.epochs, 2);
      assert.equal(manifest.seed, 5);
      assert.equal(manifest.optimizer, 'Adam');
      assert.deepEqual(manifest.model, draft.manifest.model);
      assert.deepEqual(manifest.optimizerWeights, draft.manifest.optimizerWeights);
      assert.equal(manifest.bytes, 28);
      assert.match(manifest.sha256, /^[0-9a-f]{64}$/);
    });

    test("an objective's state reads back as written, and later changes to the object don't leak into it", async () => {
      const store = await fixture.make();
      const state = { loss: [0.5, 0.25], note: 'ü', nested: { n: null } };
      const ref = await store.write(store.slot('s', 1), { kind: 'state', saved: { step: 4, seed: 8, state } });
      state.loss.push(1);
      assert.deepEqual(await store.read(ref, 'state'), { step: 4, seed: 8, state: { loss: [0.5, 0.25], note: 'ü', nested: { n: null } } });
      const bare = await store.write(store.slot('s', 2), { kind: 'state', saved: { step: 2, seed: 8 } });
      assert.deepEqual(await store.read(bare, 'state'), { step: 2, seed: 8 });
    });

    test('a newer write supersedes the older one: locate finds the newest, the older ref is gone', async () => {
      const store = await fixture.make();
      const slot = store.slot('s', 0);
      const first = await store.write(slot, modelDraft(2));
      assert.equal(await store.locate(first, slot), first);
      const second = await store.write(slot, modelDraft(5, 3));
      assert.notEqual(second, first);
      assert.equal(await store.locate(second, slot), second);
      // The engine recorded `first`, then died before storing `second`: resume from the newest.
      assert.equal(await store.locate(first, slot), second);
      await assert.rejects(store.read(first, 'model'), namesRef(first));
      assert.equal((await store.read(second, 'model')).manifest.epochs, 5);
      // The same step again replaces it in place.
      const again = await store.write(slot, modelDraft(5, 7));
      assert.equal(again, second);
      assert.deepEqual((await store.read(again, 'model')).weights, concat(modelDraft(5, 7).chunks));
    });

    test('states supersede states in the same way', async () => {
      const store = await fixture.make();
      const slot = store.slot('s', 3);
      const first = await store.write(slot, { kind: 'state', saved: { step: 1, seed: 1, state: 'a' } });
      const second = await store.write(slot, { kind: 'state', saved: { step: 3, seed: 1, state: 'b' } });
      assert.equal(await store.locate(first, slot), second);
      assert.deepEqual(await store.read(second, 'state'), { step: 3, seed: 1, state: 'b' });
    });

    test('locate is undefined when neither the recorded ref nor anything in the slot is stored', async () => {
      const store = await fixture.make();
      const slot = store.slot('s', 0);
      const ref = await store.write(slot, modelDraft(1));
      assert.equal(await store.locate(ref, store.slot('s', 1)), ref, 'a recorded ref that is still stored is used as it is');
      await store.discard(slot);
      assert.equal(await store.locate(ref, slot), undefined);
      assert.equal(await store.locate(ref, store.slot('never', 9)), undefined);
    });

    test('a missing checkpoint, or one of the other kind, is refused naming its ref', async () => {
      const store = await fixture.make();
      const model = await store.write(store.slot('s', 0), modelDraft(2));
      const state = await store.write(store.slot('s', 1), { kind: 'state', saved: { step: 2, seed: 5 } });
      await assert.rejects(store.read(model, 'state'), namesRef(model));
      await assert.rejects(store.read(state, 'model'), namesRef(state));
      await store.discard(store.slot('s', 0));
      await assert.rejects(store.read(model, 'model'), namesRef(model));
    });

    test('data that does not fit its weight specs is refused, and nothing is stored', async () => {
      const store = await fixture.make();
      const slot = store.slot('s', 0);
      const bad = { ...modelDraft(3), chunks: [new Uint8Array(3)] };
      await assert.rejects(store.write(slot, bad), /3 bytes but its weight specs need 28/);
      assert.equal(await store.locate(`${slot}-nothing`, slot), undefined);
    });

    test('discard removes the slot and all in it, leaves other slots alone, and a missing slot is fine', async () => {
      const store = await fixture.make();
      const kept = await store.write(store.slot('s', 1), modelDraft(1));
      const slot = store.slot('s', 0);
      const ref = await store.write(slot, modelDraft(2));
      await store.write(slot, { kind: 'state', saved: { step: 2, seed: 5 } });
      await store.discard(slot);
      await store.discard(slot);
      await store.discard(store.slot('never', 0));
      assert.equal(await store.locate(ref, slot), undefined);
      await assert.rejects(store.read(ref, 'model'), namesRef(ref));
      assert.equal((await store.read(kept, 'model')).manifest.epochs, 1);
    });

    test('discardStudy removes every slot of that study and no other study\'s, and a study without checkpoints is fine', async () => {
      const store = await fixture.make();
      const gone = [await store.write(store.slot('s', 0), modelDraft(1)), await store.write(store.slot('s', 7), { kind: 'state', saved: { step: 1, seed: 2 } })];
      const kept = [await store.write(store.slot('s2', 0), modelDraft(2)), await store.write(store.slot('t', 0), modelDraft(3))];
      await store.discardStudy('s');
      await store.discardStudy('s');
      await store.discardStudy('never');
      assert.equal(await store.locate(gone[0]!, store.slot('s', 0)), undefined);
      assert.equal(await store.locate(gone[1]!, store.slot('s', 7)), undefined);
      assert.equal((await store.read(kept[0]!, 'model')).manifest.epochs, 2);
      assert.equal((await store.read(kept[1]!, 'model')).manifest.epochs, 3);
    });

    if (fixture.crossesThreads) {
      const viaPort = fixture.crossesThreads === 'port';
      test("a worker thread rebuilds the store from its spec: the bytes it writes are the main thread's to locate, and back", async () => {
        const store = await fixture.make();
        const slot = store.slot('threads', 0);
        const written = (await inWorker({ op: 'write', spec: store.spec, slot, epochs: 4, fill: 2 }, viaPort)) as string;
        assert.equal(await store.locate(written, slot), written);
        assert.deepEqual((await store.read(written, 'model')).weights, concat(modelDraft(4, 2).chunks));
        const mine = await store.write(slot, modelDraft(6, 3));
        assert.deepEqual(await inWorker({ op: 'read', spec: store.spec, ref: mine }, viaPort), { epochs: 6, bytes: 28 });
      });
      if (viaPort) {
        test('without a trial port, a worker thread is told that the store is served by the main thread', async () => {
          const store = await fixture.make();
          await assert.rejects(inWorker({ op: 'read', spec: store.spec, ref: 'x' }), /served by its tuner's main thread/);
        });
        test('a bad read in a worker fails there with the main thread store\'s message, naming the ref', async () => {
          const store = await fixture.make();
          const ref = await store.write(store.slot('threads', 1), modelDraft(2));
          await store.discard(store.slot('threads', 1));
          await assert.rejects(inWorker({ op: 'read', spec: store.spec, ref }, true), (e: Error) => e.message.startsWith(`checkpoint ${ref}: `));
        });
      }
    } else {
      test('a worker thread is told clearly that this store lives in another thread', async () => {
        const store = await fixture.make();
        await assert.rejects(inWorker({ op: 'read', spec: store.spec, ref: 'x' }), /lives in another thread or process/);
      });
    }
  });
}
