/** The worker thread of scripts/bench/checkpoints.ts: writes and reads checkpoints as a trial's worker does, timed. */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { bindTrialPort, checkpointStoreFor, type CheckpointDraft, type CheckpointStoreSpec } from '../../../src/execution/index.js';

interface Job {
  readonly stores: readonly { readonly name: string; readonly spec: CheckpointStoreSpec; readonly slot: string }[];
  readonly values: number;
  readonly reps: number;
  readonly port: MessagePort;
}

/** One float32 tensor of `n` values plus Adam's 'iter': a model checkpoint of 4n + 4 bytes. */
function draft(n: number, epochs: number): CheckpointDraft {
  const values = new Float32Array(n).map((_, i) => Math.sin(i + epochs));
  return {
    kind: 'model',
    manifest: { format: 'tune-checkpoint', version: 1, epochs, seed: 1, optimizer: 'Adam', model: [{ name: 'w', shape: [n], dtype: 'float32' }], optimizerWeights: [{ name: 'iter', shape: [], dtype: 'int32' }], optimizerExtras: [] },
    chunks: [new Uint8Array(values.buffer), new Uint8Array(new Int32Array([epochs]).buffer)],
  };
}

const job = workerData as Job;
bindTrialPort(job.port);
const times: Record<string, { write: number[]; read: number[] }> = {};
for (const s of job.stores) times[s.name] = { write: [], read: [] };
// Interleaved, so both stores see the same machine load.
for (let rep = 0; rep < job.reps; rep++) {
  for (const s of job.stores) {
    const store = checkpointStoreFor(s.spec);
    const d = draft(job.values, rep + 1);
    let t0 = performance.now();
    const ref = await store.write(s.slot, d);
    times[s.name]!.write.push(performance.now() - t0);
    t0 = performance.now();
    const back = await store.read(ref, 'model');
    times[s.name]!.read.push(performance.now() - t0);
    if (back.weights.byteLength !== job.values * 4 + 4) throw new Error(`${s.name}: read ${back.weights.byteLength} bytes`);
  }
}
parentPort!.postMessage(times);
