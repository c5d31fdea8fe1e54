/**
 * The trial runner: a piscina pool of worker threads, one trial per worker at a time. Runs on the main thread and
 * never loads tfjs itself.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type ResourceLimits, type Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ExecutionError } from '../../core/errors.js';
import type { Metrics } from '../../core/types.js';
import { BackendNotInstalledError, isNative, isPackageInstalled, NATIVE_PACKAGES, prepareNativeEnv, prepareWebGpuEnv, WEBGPU_PACKAGES } from '../backends/backend-select.js';
import { errorMessage, failed, rejected } from '../failures.js';
import { answerCheckpointRequest } from '../checkpoint/main-thread-store.js';
import { OVERFLOWS, startCapped, type Overflow } from './gpu-gate.js';
import type { PoolToWorker, WorkerRequest, WorkerResponse, WorkerToPool } from '../messages.js';
import { probeWorkers } from './probe.js';
import type { BackendChoice, BackendInfo, ExecutionOutcome, OnEpoch, TrialRunner, TrialTask } from '../types.js';

export interface TrialRunnerOptions {
  /** Worker threads; for wasm, one per core is the sweet spot. */
  readonly workers: number;
  readonly backend: BackendChoice;
  /** Models a wasm worker trains before it is replaced, because the wasm heap never shrinks. Default 50. */
  readonly recycleAfter?: number;
  /** Passed to every worker thread; with a heap limit, a worker out of JS memory dies alone (kind 'oom'). */
  readonly resourceLimits?: ResourceLimits;
  /** Another worker entry (a .js or .ts file URL); tests use fixtures that wrap the real one. */
  readonly workerEntry?: URL;
  /**
   * GPU backends (webgpu, tensorflow-gpu): at most this many trials use the GPU at once, each in its own worker
   * with its own device. Default: every worker. Ignored when the backend in use is not a GPU one.
   */
  readonly gpuConcurrency?: number;
  /**
   * With gpuConcurrency below workers: 'wait' (default) runs gpuConcurrency GPU workers and further trials wait for
   * one; 'cpu' adds workers − gpuConcurrency wasm workers, and a trial goes to whichever kind is free, GPU first.
   */
  readonly overflow?: Overflow;
  /**
   * A worker thread failed outside any trial (piscina's 'error' event: it died between tasks, or threw from a
   * timer). Piscina replaces it and trials get their own errors, so this is news, not a failure. Default: a
   * process warning (printed on stderr).
   */
  readonly onWorkerError?: (err: Error) => void;
  /**
   * When the workers load tfjs (seconds of CPU per thread). 'at-start' (default): every worker, at the start-up
   * probe. 'when-needed': for a task whose trials never train (a task module with objective() that imports no
   * tfjs): one worker probes the backend (it is reported and stored all the same), and the others load tfjs only
   * if a trial needs it (its module imports tfjs after all), switching to the probed backend before the trial runs.
   */
  readonly tfjs?: 'at-start' | 'when-needed';
}

export const DEFAULT_RECYCLE_AFTER = 50;

const warnWorkerError = (err: Error): void => {
  process.emitWarning(`a worker thread failed outside any trial, and was replaced: ${errorMessage(err)}`, { code: 'TUNE_WORKER_ERROR' });
};
type PoolOptions = NonNullable<ConstructorParameters<typeof Piscina>[0]>;
type Balancer = NonNullable<PoolOptions['loadBalancer']>;

/**
 * The loader flags of this process (`--import tsx`, or what the tsx CLI adds), which a worker needs to load .ts.
 * Only those: a worker refuses per-process flags such as --max-old-space-size (ERR_WORKER_INVALID_EXEC_ARGV).
 */
export function loaderExecArgv(argv: readonly string[] = process.execArgv): string[] {
  const withValue = /^(--import|--require|-r|--loader|--experimental-loader|--conditions|-C)$/;
  const inline = /^(--import|--require|--loader|--experimental-loader|--conditions)=|^--enable-source-maps$/;
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (withValue.test(arg) && i + 1 < argv.length) kept.push(arg, argv[++i]!);
    else if (inline.test(arg)) kept.push(arg);
  }
  return kept;
}

/** The compiled worker beside this file when running from dist/, else its .ts source (under tsx). */
export function resolveWorkerEntry(entry: URL = new URL('../worker/worker.js', import.meta.url)): { filename: string; execArgv?: string[] } {
  const path = fileURLToPath(entry);
  const ts = path.replace(/\.js$/, '.ts');
  if (path.endsWith('.js') && existsSync(path)) return { filename: path };
  if (existsSync(ts)) return { filename: ts, execArgv: loaderExecArgv() };
  throw new ExecutionError(`worker entry not found: ${path}`);
}

function checkOptions(o: TrialRunnerOptions): void {
  if (!Number.isInteger(o.workers) || o.workers < 1) throw new ExecutionError(`workers must be a positive integer, got ${o.workers}`);
  if (o.recycleAfter !== undefined && (!Number.isInteger(o.recycleAfter) || o.recycleAfter < 1)) {
    throw new ExecutionError(`recycleAfter must be a positive integer, got ${o.recycleAfter}`);
  }
  if (o.gpuConcurrency !== undefined && (!Number.isInteger(o.gpuConcurrency) || o.gpuConcurrency < 1)) {
    throw new ExecutionError(`gpuConcurrency must be a positive integer, got ${o.gpuConcurrency}`);
  }
  if (o.tfjs !== undefined && o.tfjs !== 'at-start' && o.tfjs !== 'when-needed') throw new ExecutionError(`tfjs must be 'at-start' or 'when-needed', got ${String(o.tfjs)}`);
  if (o.overflow !== undefined && !OVERFLOWS.includes(o.overflow)) throw new ExecutionError(`overflow must be one of ${OVERFLOWS.join(', ')}, got ${String(o.overflow)}`);
  // Fail before starting threads.
  if (o.backend === 'tensorflow' || o.backend === 'tensorflow-gpu') {
    if (!isPackageInstalled(NATIVE_PACKAGES[o.backend])) throw new BackendNotInstalledError(o.backend);
  }
  const webgpuInstalled = Object.values(WEBGPU_PACKAGES).every(isPackageInstalled);
  if (o.backend === 'webgpu' && !webgpuInstalled) throw new BackendNotInstalledError('webgpu');
  // Threads copy the environment at start, and native libraries read the process's own.
  const nativeInstalled = Object.values(NATIVE_PACKAGES).some(isPackageInstalled);
  if (nativeInstalled && (o.backend === 'auto' || isNative(o.backend))) prepareNativeEnv(o.backend);
  if (webgpuInstalled) prepareWebGpuEnv(o.backend);
}

class PiscinaRunner implements TrialRunner {
  /** Workers that asked to be replaced; the balancer gives them nothing more, and they are ended once free. */
  private readonly retiring = new Set<number>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private closed = false;

  constructor(
    private readonly pool: Piscina<WorkerRequest, WorkerResponse>,
    readonly info: BackendInfo,
    private readonly lazyTfjs: boolean,
  ) {}

  readonly balancer: Balancer = (_task, workers) => workers.find((w) => w.currentUsage === 0 && !this.retiring.has(w.id) && !w.terminating) ?? null;

  async run(task: TrialTask, onEpoch: OnEpoch, signal?: AbortSignal): Promise<ExecutionOutcome> {
    if (this.closed) throw new ExecutionError('the trial runner is closed');
    const running = this.runTrial(task, onEpoch, signal);
    this.inFlight.add(running);
    try {
      return await running;
    } finally {
      this.inFlight.delete(running);
    }
  }

  private async runTrial(task: TrialTask, onEpoch: OnEpoch, signal?: AbortSignal): Promise<ExecutionOutcome> {
    let epochs = 0;
    let last: Metrics | undefined;
    let callerError: { error: unknown } | undefined;
    if (signal?.aborted === true) return rejected(signal.reason, signal, 0);
    const { port1, port2 } = new MessageChannel();
    const reply = (msg: PoolToWorker): void => port1.postMessage(msg);
    port1.on('message', (msg: WorkerToPool) => {
      if (msg.type === 'retire') {
        this.retiring.add(msg.threadId);
        reply({ type: 'retire-ack' });
        return;
      }
      if (msg.type === 'checkpoint') {
        // A main-thread store's call (the database store): answered here, on the process's one connection.
        void answerCheckpointRequest(msg, (answer, transfer) => port1.postMessage(answer, transfer));
        return;
      }
      epochs = msg.epoch;
      last = msg.metrics;
      onEpoch(msg.epoch, msg.metrics).then(
        (decision) => reply({ type: 'decision', decision }),
        (error: unknown) => {
          callerError ??= { error }; // not the trial's fault: stop it, then pass the error on
          reply({ type: 'decision', decision: 'stop' });
        },
      );
    });
    let outcome: ExecutionOutcome;
    let thread: number | undefined;
    try {
      const res = await this.pool.run(
        { kind: 'trial', backend: this.info.backend, trial: task, recycleAfter: this.info.recycleAfter ?? null, lazyTfjs: this.lazyTfjs, port: port2 },
        { transferList: [port2], ...(signal ? { signal } : {}) },
      );
      if (res.kind !== 'trial') throw new Error(`unexpected ${res.kind} response to a trial`);
      outcome = res.outcome;
      thread = res.threadId;
    } catch (e) {
      // piscina has already replaced a dead worker.
      outcome = this.closed ? failed('interrupted', 'the trial runner was closed during the trial', epochs, last) : rejected(e, signal, epochs, last);
    } finally {
      port1.close();
    }
    if (thread !== undefined && this.retiring.has(thread)) await this.retire(thread);
    if (callerError) throw callerError.error;
    return outcome;
  }

  /** End a worker that has finished its task; piscina sees the exit and starts a fresh one in its place. */
  private async retire(threadId: number): Promise<void> {
    const worker: Worker | undefined = this.pool.threads.find((w) => w.threadId === threadId);
    try {
      await worker?.terminate();
    } catch {
      // Already gone: piscina replaces it either way.
    } finally {
      this.retiring.delete(threadId);
    }
  }

  /** Ends every worker now; trials still running resolve as failed ('interrupted'). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
    await Promise.allSettled([...this.inFlight]);
  }
}

/** Start the pool and probe every worker's backend; resolves once trials can run. */
export async function createTrialRunner(options: TrialRunnerOptions): Promise<TrialRunner> {
  checkOptions(options);
  const start = (workers: number, backend: BackendChoice): Promise<TrialRunner> => startPool(options, workers, backend);
  const cap = options.gpuConcurrency;
  const mayUseGpu = options.backend === 'auto' || options.backend === 'webgpu' || options.backend === 'tensorflow-gpu';
  if (cap === undefined || cap >= options.workers || !mayUseGpu) return start(options.workers, options.backend);
  return startCapped(options.workers, cap, options.overflow ?? 'wait', options.backend, start);
}

/** One piscina pool of `workers` threads on `backend` (the probe resolves 'auto'). */
async function startPool(options: TrialRunnerOptions, workers: number, backend: BackendChoice): Promise<TrialRunner> {
  const { filename, execArgv } = resolveWorkerEntry(options.workerEntry);
  let runner: PiscinaRunner | undefined;
  const pool = new Piscina<WorkerRequest, WorkerResponse>({
    filename,
    ...(execArgv ? { execArgv } : {}),
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    minThreads: workers,
    maxThreads: workers,
    concurrentTasksPerWorker: 1,
    idleTimeout: Infinity,
    atomics: 'disabled', // tasks wait on MessagePort replies; keep each worker's event loop free between them
    recordTiming: false, // nothing reads piscina's run and wait time histograms: no recording per task
    loadBalancer: (task, workers) => (runner ? runner.balancer(task, workers) : (workers.find((w) => w.currentUsage === 0) ?? null)),
  });
  pool.on('error', (err: Error) => (options.onWorkerError ?? warnWorkerError)(err));
  try {
    const lazyTfjs = options.tfjs === 'when-needed';
    const probed = await probeWorkers(pool, backend, lazyTfjs ? 1 : workers);
    const recycleAfter = probed.backend === 'wasm' ? (options.recycleAfter ?? DEFAULT_RECYCLE_AFTER) : null;
    runner = new PiscinaRunner(pool, { ...probed, requested: options.backend, workers, recycleAfter }, lazyTfjs);
    return runner;
  } catch (e) {
    await pool.destroy();
    throw e;
  }
}

/** One worker per core: wasm runs single-threaded in each. */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}
