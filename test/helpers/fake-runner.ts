import type { Decision, Metrics, TrialOutcome } from '../../src/core/types.js';
import { checkpointStoreFor } from '../../src/execution/index.js';
import type { TrialRunner, TrialTask } from '../../src/execution/types.js';
import { ExecutionError } from '../../src/core/errors.js';
import { failed, rejected, thrown } from '../../src/execution/failures.js';

/** Final quality of a config in (0, 1]: best at learningRate 0.01, falling off by decade. */
export function quality(params: TrialTask['params']): number {
  const lr = params.learningRate as number;
  return 1 - Math.abs(Math.log10(lr) + 2) / 10;
}

/** A deterministic learning curve: rises towards the config's quality, so ranks are the same at every budget. */
export function curve(params: TrialTask['params'], epoch: number): number {
  return quality(params) * (1 - Math.exp(-epoch / 3));
}

/**
 * A trial runner without tfjs and in the calling thread. It trains "epochs" on a curve computed from the params,
 * obeys decisions, pauses with a checkpoint (the epoch reached, as an objective's state) in the task's store and
 * resumes from it, and counts every epoch it trains. With an in-memory store it touches no folder.
 */
export class FakeRunner implements TrialRunner {
  readonly info = { requested: 'auto' as const, backend: 'cpu' as const, tfBackend: 'cpu', warnings: [] };
  running = 0;
  maxRunning = 0;
  epochsTrained = 0;
  /** Called after each epoch with the number of trials running then. */
  onTick: (running: number) => void = () => {};

  /**
   * It keeps the TrialRunner contract (test/execution/runner-contract.ts): `failWhen` may return true or throw (the
   * trial fails), an abort or close() ends a trial at its next epoch as failed, and run() after close() rejects.
   */
  private closed = false;

  constructor(private readonly failWhen: (task: TrialTask, epoch: number) => boolean = () => false) {}

  async run(task: TrialTask, onEpoch: (epoch: number, metrics: Metrics) => Promise<Decision>, signal?: AbortSignal): Promise<TrialOutcome> {
    if (this.closed) throw new ExecutionError('the trial runner is closed');
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      const store = checkpointStoreFor(task.checkpointStore);
      const from = task.resumeFrom === undefined ? 0 : (await store.read(task.resumeFrom, 'state')).step;
      if (task.resumeFrom !== undefined && !(from > 0 && from < task.budget)) throw new Error(`bad resume ${task.resumeFrom} to ${task.budget}`);
      let value = from === 0 ? 0 : curve(task.params, from);
      for (let epoch = from + 1; epoch <= task.budget; epoch++) {
        await new Promise((r) => setTimeout(r, 1));
        if (signal?.aborted === true) return rejected(signal.reason, signal, epoch - 1);
        if (this.closed) return failed('interrupted', 'the trial runner was closed during the trial', epoch - 1);
        let fails: boolean;
        try {
          fails = this.failWhen(task, epoch);
        } catch (e) {
          return thrown(e, epoch - 1);
        }
        if (fails) return { state: 'failed', epochs: epoch - 1, error: { kind: 'exception', message: `failed at epoch ${epoch}` } };
        this.epochsTrained++;
        value = curve(task.params, epoch);
        this.onTick(this.running);
        const decision = await onEpoch(epoch, { val_accuracy: value, val_loss: 1 - value });
        if (decision === 'pause') {
          // Stored, as the engine locates a trial's checkpoint before resuming from it.
          const checkpoint = task.checkpointDir === undefined ? undefined : await store.write(task.checkpointDir, { kind: 'state', saved: { step: epoch, seed: task.seed } });
          return { state: 'paused', epochs: epoch, value, ...(checkpoint === undefined ? {} : { checkpoint }) };
        }
        if (decision === 'stop') return { state: 'pruned', epochs: epoch, value };
      }
      return { state: 'complete', epochs: task.budget, value };
    } finally {
      this.running--;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
