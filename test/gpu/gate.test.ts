/** The GPU slot gate on its own: lanes, preference, first come first served, aborts and closing. No GPU needed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LanesRunner, Slots } from '../../src/execution/pool/gpu-gate.js';
import type { BackendInfo, ExecutionOutcome, TrialRunner } from '../../src/execution/types.js';
import { trialTask } from '../execution/helpers.js';

const GPU = 0;
const CPU = 1;

test('a request takes the first lane in its order that has a free slot', async () => {
  const slots = new Slots([1, 2]);
  assert.equal(await slots.acquire([GPU, CPU]), GPU);
  assert.equal(await slots.acquire([GPU, CPU]), CPU);
  assert.equal(await slots.acquire([GPU, CPU]), CPU);
  let got: number | undefined;
  const waiting = slots.acquire([GPU, CPU]).then((lane) => (got = lane));
  await new Promise((r) => setImmediate(r));
  assert.equal(got, undefined, 'every slot is taken: it waits');
  slots.release(CPU);
  assert.equal(await waiting, CPU);
});

test('waiters are served in order, each by a lane it accepts', async () => {
  const slots = new Slots([1, 1]);
  await slots.acquire([GPU]);
  await slots.acquire([CPU]);
  const order: string[] = [];
  const gpuOnly = slots.acquire([GPU]).then((l) => order.push(`gpu-only:${l}`));
  const either = slots.acquire([GPU, CPU]).then((l) => order.push(`either:${l}`));
  slots.release(CPU); // the gpu-only waiter can't take it; the next one can
  await either;
  slots.release(GPU);
  await gpuOnly;
  assert.deepEqual(order, ['either:1', 'gpu-only:0']);
});

test('an aborted waiter leaves the queue and its slot goes to the next', async () => {
  const slots = new Slots([1]);
  await slots.acquire([GPU]);
  const ac = new AbortController();
  const aborted = slots.acquire([GPU], ac.signal);
  const next = slots.acquire([GPU]);
  ac.abort(new Error('time is up'));
  await assert.rejects(aborted, /time is up/);
  slots.release(GPU);
  assert.equal(await next, GPU);
});

/** A runner whose trials end when told to, recording which trials it ran. */
function fakeRunner(workers: number): TrialRunner & { ran: number[]; finish(): void } {
  const pending: (() => void)[] = [];
  const ran: number[] = [];
  const info: BackendInfo = { requested: 'auto', backend: 'wasm', tfBackend: 'wasm', warnings: [], workers };
  return {
    info,
    ran,
    finish: () => pending.splice(0).forEach((f) => f()),
    run: (task) =>
      new Promise<ExecutionOutcome>((resolve) => {
        ran.push(task.trialId);
        pending.push(() => resolve({ state: 'complete', epochs: 1 }));
      }),
    close: async () => {},
  };
}

test('LanesRunner fills the GPU lane first, overflows to the CPU lane, and queues beyond both', async () => {
  const gpu = fakeRunner(1);
  const cpu = fakeRunner(1);
  const lanes = new LanesRunner(gpu, cpu, { ...gpu.info, workers: 2 });
  const tasks = [1, 2, 3].map(() => trialTask());
  const runs = tasks.map((t) => lanes.run(t, async () => 'continue'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual([gpu.ran, cpu.ran], [[tasks[0]!.trialId], [tasks[1]!.trialId]]);
  gpu.finish();
  await runs[0];
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(gpu.ran, [tasks[0]!.trialId, tasks[2]!.trialId], 'the third trial took the freed GPU slot');
  gpu.finish();
  cpu.finish();
  for (const o of await Promise.all(runs)) assert.equal(o.state, 'complete');
});

test('closing LanesRunner fails queued trials as interrupted', async () => {
  const lanes = new LanesRunner(fakeRunner(1), fakeRunner(1), { requested: 'auto', backend: 'webgpu', tfBackend: 'webgpu', warnings: [] });
  void lanes.run(trialTask(), async () => 'continue');
  void lanes.run(trialTask(), async () => 'continue');
  const queued = lanes.run(trialTask(), async () => 'continue');
  await lanes.close();
  const outcome = await queued;
  assert.equal(outcome.state, 'failed');
  assert.equal(outcome.error?.kind, 'interrupted');
});
