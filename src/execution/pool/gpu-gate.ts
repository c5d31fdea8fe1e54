/**
 * Sharing a GPU between trials, on the main thread: a cap on the trials that use the GPU at once (`gpuConcurrency`)
 * and what happens to a trial that finds every GPU slot busy (`overflow`).
 *
 * Each worker keeps one backend for life: switching a worker between webgpu and wasm per trial would mean two
 * backends' memory in one thread and tfjs state (kernels, the current backend) shared between them. So 'cpu'
 * overflow is two pools, K GPU workers and N−K wasm workers, and a gate that sends each trial to a free worker of
 * either kind, GPU first. 'wait' is one pool of K GPU workers; trials beyond K wait for a slot.
 */
import { ExecutionError } from '../../core/errors.js';
import { isGpuBackend } from '../backends/backend-select.js';
import { failed, rejected } from '../failures.js';
import type { BackendChoice, BackendInfo, ExecutionOutcome, OnEpoch, TrialRunner, TrialTask } from '../types.js';

export const OVERFLOWS = ['wait', 'cpu'] as const;
export type Overflow = (typeof OVERFLOWS)[number];

interface Waiter {
  readonly lanes: readonly number[];
  readonly resolve: (lane: number) => void;
  readonly reject: (reason: unknown) => void;
}

/** Counting slots in lanes. A request names the lanes it accepts, best first; waiters are served first come, first served. */
export class Slots {
  private readonly free: number[];
  private readonly waiters: Waiter[] = [];

  constructor(capacities: readonly number[]) {
    this.free = [...capacities];
  }

  acquire(lanes: readonly number[], signal?: AbortSignal): Promise<number> {
    const lane = lanes.find((l) => (this.free[l] ?? 0) > 0);
    if (lane !== undefined) {
      this.free[lane]!--;
      return Promise.resolve(lane);
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { lanes, resolve, reject };
      this.waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1)[0]!.reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  /** Hand the slot to the first waiter that accepts its lane, else free it. */
  release(lane: number): void {
    const i = this.waiters.findIndex((w) => w.lanes.includes(lane));
    if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(lane);
    else this.free[lane]!++;
  }

  /** Fail every waiter (the runner is closing). */
  rejectAll(reason: unknown): void {
    for (const w of this.waiters.splice(0)) w.reject(reason);
  }
}

/** GPU workers plus overflow workers on a CPU backend; each trial takes a free worker, a GPU one when it can. */
export class LanesRunner implements TrialRunner {
  private readonly slots: Slots;
  private closed = false;

  constructor(
    private readonly gpu: TrialRunner,
    private readonly cpu: TrialRunner,
    readonly info: BackendInfo,
  ) {
    this.slots = new Slots([gpu.info.workers ?? 1, cpu.info.workers ?? 1]);
  }

  async run(task: TrialTask, onEpoch: OnEpoch, signal?: AbortSignal): Promise<ExecutionOutcome> {
    if (this.closed) throw new ExecutionError('the trial runner is closed');
    let lane: number;
    try {
      lane = await this.slots.acquire([0, 1], signal);
    } catch (e) {
      return this.closed ? failed('interrupted', 'the trial runner was closed before the trial started', 0) : rejected(e, signal, 0);
    }
    try {
      return await (lane === 0 ? this.gpu : this.cpu).run(task, onEpoch, signal);
    } finally {
      this.slots.release(lane);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.slots.rejectAll(new ExecutionError('the trial runner was closed'));
    await Promise.all([this.gpu.close(), this.cpu.close()]);
  }
}

/** The same runner under other BackendInfo (the pool's info as the caller asked for it). */
export function withInfo(runner: TrialRunner, info: BackendInfo): TrialRunner {
  return { info, run: (task, onEpoch, signal) => runner.run(task, onEpoch, signal), close: () => runner.close() };
}

/** Starts one pool of `workers` threads on `backend` and probes it. */
export type StartPool = (workers: number, backend: BackendChoice) => Promise<TrialRunner>;

/** `workers` workers of which at most `cap` (< workers) train on the GPU at once. */
export async function startCapped(workers: number, cap: number, overflow: Overflow, backend: BackendChoice, start: StartPool): Promise<TrialRunner> {
  const gpu = await start(cap, backend);
  if (!isGpuBackend(gpu.info.backend)) {
    // No GPU after all ('auto' found none, or webgpu fell back): no cap applies, so start every worker on what it got.
    await gpu.close();
    const all = await start(workers, gpu.info.backend);
    return withInfo(all, { ...all.info, warnings: [...new Set([...gpu.info.warnings, ...all.info.warnings])] });
  }
  if (overflow === 'wait') return withInfo(gpu, { ...gpu.info, gpuConcurrency: cap });
  let cpu: TrialRunner;
  try {
    cpu = await start(workers - cap, 'wasm');
  } catch (e) {
    await gpu.close();
    throw e;
  }
  const spill = { backend: cpu.info.backend, workers: workers - cap, recycleAfter: cpu.info.recycleAfter ?? null };
  return new LanesRunner(gpu, cpu, { ...gpu.info, workers, gpuConcurrency: cap, overflow: spill, warnings: [...gpu.info.warnings, ...cpu.info.warnings] });
}
