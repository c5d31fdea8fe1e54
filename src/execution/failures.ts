/** How trial failures become outcomes: the trial's own errors (in the worker) and a worker's death (in the pool). */
import { errorMessage } from '../core/errors.js';
import type { FailureKind, Metrics, TrialOutcome } from '../core/types.js';

export { errorMessage } from '../core/errors.js';

/** Node's code for a worker past its resourceLimits, and the ways a full wasm heap or allocator reports itself. */
const OOM_PATTERN = /ERR_WORKER_OUT_OF_MEMORY|out of memory|Cannot enlarge memory|Memory\.grow|Array buffer allocation failed|Aborted\(OOM\)/i;

export function isOutOfMemory(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ERR_WORKER_OUT_OF_MEMORY' || OOM_PATTERN.test(errorMessage(e));
}

export function failed(kind: FailureKind, message: string, epochs: number, metrics?: Metrics): TrialOutcome {
  return { state: 'failed', epochs, ...(metrics ? { metrics } : {}), error: { kind, message } };
}

/** An exception thrown while training: out-of-memory or a plain exception. */
export function thrown(e: unknown, epochs: number, metrics?: Metrics): TrialOutcome {
  return failed(isOutOfMemory(e) ? 'oom' : 'exception', errorMessage(e), epochs, metrics);
}

/** piscina rejected the task: it was aborted, or its worker died (and was replaced by piscina). */
export function rejected(e: unknown, signal: AbortSignal | undefined, epochs: number, metrics?: Metrics): TrialOutcome {
  if (signal?.aborted === true || (e as { name?: unknown } | null)?.name === 'AbortError') {
    const reason: unknown = signal?.reason;
    const timeout = (reason as { name?: unknown } | null)?.name === 'TimeoutError';
    return failed(timeout ? 'timeout' : 'interrupted', `aborted: ${reason === undefined ? errorMessage(e) : errorMessage(reason)}`, epochs, metrics);
  }
  if (isOutOfMemory(e)) return failed('oom', `the worker ran out of memory: ${errorMessage(e)}`, epochs, metrics);
  return failed('worker-died', `the worker died: ${errorMessage(e)}`, epochs, metrics);
}
