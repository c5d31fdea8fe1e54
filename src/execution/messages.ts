/** The messages between the pool (main thread) and a worker. Plain, structured-clone-safe data only. */
import type { MessagePort } from 'node:worker_threads';
import type { Decision, Metrics } from '../core/types.js';
import type { GpuAdapterFacts } from './backends/backend-select.js';
import type { CheckpointReply, CheckpointRequest } from './checkpoint/main-thread-store.js';
import type { BackendChoice, BackendName, ExecutionOutcome, TrialTask } from './types.js';

/** Start-up probe: initialise the backend in this worker and say which one is in use. */
export interface ProbeRequest {
  readonly kind: 'probe';
  readonly backend: BackendChoice;
}

export interface TrialRequest {
  readonly kind: 'trial';
  /** Resolved by the probe, so every worker trains on the same backend. */
  readonly backend: BackendName;
  readonly trial: TrialTask;
  /** After this many trials the worker asks to be replaced (the wasm heap never shrinks); null: never. */
  readonly recycleAfter: number | null;
  /**
   * The worker loads tfjs only when a trial needs it (training, or a task module whose imports load tfjs), not
   * before every trial: set for tasks whose module's objective() replaces training (`TrialRunnerOptions.tfjs`).
   */
  readonly lazyTfjs?: boolean;
  /** Epoch reports go out and decisions come back over this port (transferred, not cloned). */
  readonly port: MessagePort;
}

export type WorkerRequest = ProbeRequest | TrialRequest;

export type ProbeResponse =
  | {
      readonly kind: 'probe';
      readonly ok: true;
      readonly threadId: number;
      readonly backend: BackendName;
      readonly tfBackend: string;
      readonly warnings: readonly string[];
      readonly adapter?: GpuAdapterFacts;
    }
  /** `code` 'not-installed' becomes an ExecutionError on the main thread. */
  | { readonly kind: 'probe'; readonly ok: false; readonly threadId: number; readonly code: 'not-installed' | 'failed'; readonly message: string };

export interface TrialResponse {
  readonly kind: 'trial';
  readonly threadId: number;
  readonly outcome: ExecutionOutcome;
}

export type WorkerResponse = ProbeResponse | TrialResponse;

/** Worker → pool after every epoch. The worker then waits for a DecisionMessage. */
export interface EpochMessage {
  readonly type: 'epoch';
  readonly epoch: number;
  readonly metrics: Metrics;
}

export interface DecisionMessage {
  readonly type: 'decision';
  readonly decision: Decision;
}

/**
 * Worker → pool before it returns its result: "replace me after this trial" (recycling, or a wasm heap that ran out).
 * The worker waits for the ack, so the pool knows before the worker is free and never hands it another task.
 */
export interface RetireMessage {
  readonly type: 'retire';
  readonly threadId: number;
  readonly reason: string;
}

export interface RetireAckMessage {
  readonly type: 'retire-ack';
}

/** Checkpoint calls of a main-thread store (checkpoint/main-thread-store.ts) and their answers, on the same port. */
export type WorkerToPool = EpochMessage | RetireMessage | CheckpointRequest;
export type PoolToWorker = DecisionMessage | RetireAckMessage | CheckpointReply;
