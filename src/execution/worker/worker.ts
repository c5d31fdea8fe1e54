/**
 * The piscina worker entry: its default export handles one request at a time. tfjs, the backend, data sets and task
 * modules are loaded once per worker thread and re-used by every trial it runs.
 */
import * as tf from '@tensorflow/tfjs';
import { threadId, type MessagePort } from 'node:worker_threads';
import type { Decision } from '../../core/types.js';
import { BackendNotInstalledError } from '../backends/backend-select.js';
import { useBackend } from '../backends/backend.js';
import { bindTrialPort } from '../checkpoint/main-thread-store.js';
import { captureConsole } from './console-capture.js';
import { errorMessage, thrown } from '../failures.js';
import type { PoolToWorker, ProbeRequest, ProbeResponse, TrialRequest, TrialResponse, WorkerRequest, WorkerResponse, WorkerToPool } from '../messages.js';
import { runObjective } from '../task-module/objective-runner.js';
import { trainingData } from '../training/task-data.js';
import { loadTaskModule } from '../task-module/task-module.js';
import { train, type EpochReporter, type TrainResult } from '../training/trainer.js';
import type { TrialDiagnostics } from '../types.js';

const output = captureConsole();
let trialsRun = 0;
/** Trials that trained a tfjs model here: only they grow the wasm heap, so only they count towards recycling. */
let trainingTrials = 0;

async function probe(req: ProbeRequest): Promise<ProbeResponse> {
  try {
    const selected = await useBackend(req.backend);
    return { kind: 'probe', ok: true, threadId, ...selected, warnings: [...selected.warnings, ...output.drain()] };
  } catch (e) {
    output.drain();
    return { kind: 'probe', ok: false, threadId, code: e instanceof BackendNotInstalledError ? 'not-installed' : 'failed', message: errorMessage(e) };
  }
}

/** Send a message to the pool and wait for its answer of type `answer`. A closed port (pool gone) answers undefined. */
function ask<T extends PoolToWorker['type']>(port: MessagePort, msg: WorkerToPool, answer: T): Promise<Extract<PoolToWorker, { type: T }> | undefined> {
  type Answer = Extract<PoolToWorker, { type: T }>;
  return new Promise((resolve) => {
    const onMessage = (reply: PoolToWorker): void => {
      if (reply.type !== answer) return;
      cleanup();
      resolve(reply as Answer);
    };
    const onClose = (): void => {
      cleanup();
      resolve(undefined);
    };
    const cleanup = (): void => {
      port.off('message', onMessage);
      port.off('close', onClose);
    };
    port.on('message', onMessage);
    port.on('close', onClose);
    port.postMessage(msg);
  });
}

async function decide(port: MessagePort, epoch: number, metrics: Record<string, number>): Promise<Decision> {
  return (await ask(port, { type: 'epoch', epoch, metrics }, 'decision'))?.decision ?? 'stop';
}

/** A task module's objective() in place of training; tensor counts still bracket it, for the diagnostics. */
async function objectiveResult(run: () => Promise<TrainResult['outcome']>): Promise<TrainResult> {
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const outcome = await run();
  return { outcome, tensorsBefore, tensorsAfter: tf.memory().numTensors, trainSeconds: (performance.now() - t0) / 1000, samplesTrained: 0 };
}

/** The trial's work: its module's objective(), or training (on the module's data and model where it has them). */
async function work(trial: TrialRequest['trial'], report: EpochReporter): Promise<TrainResult> {
  const module = trial.task.module === undefined ? undefined : await loadTaskModule(trial.task.module);
  const objective = module?.objective;
  if (module !== undefined && objective !== undefined) return objectiveResult(() => runObjective(module, objective, trial, report));
  trainingTrials++;
  return train(trial, await trainingData(trial, module), report, module);
}

async function runTrial(req: TrialRequest): Promise<TrialResponse> {
  trialsRun++;
  const { trial, port } = req;
  const unbind = bindTrialPort(port); // a main-thread checkpoint store reaches the pool over this trial's port
  try {
    let result: TrainResult;
    try {
      await useBackend(req.backend);
      result = await work(trial, (epoch, metrics) => decide(port, epoch, metrics));
    } catch (e) {
      // Backend, module or data failures: nothing was built yet. engine().state doesn't initialise a backend, unlike memory().
      const n = tf.engine().state.numTensors;
      result = { outcome: thrown(e, 0), tensorsBefore: n, tensorsAfter: n, trainSeconds: 0, samplesTrained: 0 };
    }
    const oom = result.outcome.error?.kind === 'oom'; // a wasm heap that hit its limit is not safe to re-use
    if (oom || (req.recycleAfter !== null && trainingTrials >= req.recycleAfter)) {
      await ask(port, { type: 'retire', threadId, reason: oom ? 'out of memory' : `trained ${trainingTrials} models` }, 'retire-ack');
    }
    const diagnostics: TrialDiagnostics = {
      tensorsBefore: result.tensorsBefore,
      tensorsAfter: result.tensorsAfter,
      threadId,
      workerTrials: trialsRun,
      tfBackend: tf.engine().backendName ?? 'none',
      trainSeconds: result.trainSeconds,
      samplesPerSecond: result.trainSeconds > 0 ? result.samplesTrained / result.trainSeconds : 0,
      logs: output.drain(),
    };
    return { kind: 'trial', threadId, outcome: { ...result.outcome, diagnostics, ...(result.model !== undefined ? { model: result.model } : {}) } };
  } finally {
    unbind();
    port.close();
  }
}

export default async function handle(req: WorkerRequest): Promise<WorkerResponse> {
  return req.kind === 'probe' ? probe(req) : runTrial(req);
}
