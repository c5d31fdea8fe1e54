/**
 * The piscina worker entry: its default export handles one request at a time. tfjs, the backend, data sets and task
 * modules are loaded once per worker thread and re-used by every trial it runs. tfjs (seconds of CPU to import) is
 * imported on first need, not with this file: at the probe, or, for a task whose trials never train
 * (`TrialRequest.lazyTfjs`), only once a trial needs it (a task module that imports tfjs, or training).
 */
import { createRequire } from 'node:module';
import { threadId, type MessagePort } from 'node:worker_threads';
import type { Decision } from '../../core/types.js';
import { BackendNotInstalledError, type SelectedBackend } from '../backends/backend-select.js';
import { bindTrialPort } from '../checkpoint/main-thread-store.js';
import { captureConsole } from './console-capture.js';
import { errorMessage, thrown } from '../failures.js';
import type { PoolToWorker, ProbeRequest, ProbeResponse, TrialRequest, TrialResponse, WorkerRequest, WorkerResponse, WorkerToPool } from '../messages.js';
import { runObjective } from '../task-module/objective-runner.js';
import { loadTaskModule, type LoadedModule } from '../task-module/task-module.js';
import type { EpochReporter, TrainResult } from '../training/trainer.js';
import type { BackendChoice, TrialDiagnostics } from '../types.js';

const output = captureConsole();
let trialsRun = 0;
/** Trials that trained a tfjs model here: only they grow the wasm heap, so only they count towards recycling. */
let trainingTrials = 0;

/** tfjs-core keeps its engine in a global (`_tfengine`): set once any copy of tfjs has loaded in this thread, ours or a task module's. */
interface TfEngine {
  readonly backendName: string | null;
  readonly state: { readonly numTensors: number };
}
const tfEngine = (): TfEngine | undefined => (globalThis as { _tfengine?: TfEngine })._tfengine;
/** Tensors alive now; 0 while no tfjs is loaded. Reads the engine's state, which initialises no backend (unlike memory()). */
const numTensors = (): number => tfEngine()?.state.numTensors ?? 0;

const fromSource = import.meta.url.endsWith('.ts');
/**
 * One of our own modules, imported on first need. From dist/, import(); from source under tsx, require(): tsx's
 * import hooks don't reach a worker thread (its static imports load through tsx's require hook), and require()
 * gives the same module instances as those static imports.
 */
async function load<T>(specifier: string): Promise<T> {
  return fromSource ? (createRequire(import.meta.url)(specifier) as T) : ((await import(specifier)) as T);
}

/** Imports tfjs and the backends (once), then initialises (once) and switches to the backend for `choice`. */
async function useBackend(choice: BackendChoice): Promise<SelectedBackend> {
  const backends = await load<typeof import('../backends/backend.js')>('../backends/backend.js');
  const selected = await backends.useBackend(choice);
  backendSet = true;
  return selected;
}
/** Whether this thread has switched to a configured backend yet. */
let backendSet = false;

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
  const tensorsBefore = numTensors();
  const t0 = performance.now();
  const outcome = await run();
  return { outcome, tensorsBefore, tensorsAfter: numTensors(), trainSeconds: (performance.now() - t0) / 1000, samplesTrained: 0 };
}

/**
 * The trial's work: its module's objective(), or training (on the module's data and model where it has them). The
 * backend is in use before any of the trial's tensors exist: before the module loads, or with `lazyTfjs` once the
 * module is known to need it (its imports loaded tfjs, or it trains).
 */
async function work(req: TrialRequest, report: EpochReporter): Promise<TrainResult> {
  const { trial } = req;
  if (req.lazyTfjs !== true) await useBackend(req.backend);
  const module = trial.task.module === undefined ? undefined : await loadTaskModule(trial.task.module);
  const objective = module?.objective;
  const trains = module === undefined || objective === undefined;
  if (req.lazyTfjs === true && (trains || tfEngine() !== undefined)) await useBackend(req.backend);
  if (!trains) return objectiveResult(() => runObjective(module, objective, trial, report)).then((r) => noteLateTfjs(req, module, r));
  trainingTrials++;
  const { train } = await load<typeof import('../training/trainer.js')>('../training/trainer.js');
  const { trainingData } = await load<typeof import('../training/task-data.js')>('../training/task-data.js');
  return train(trial, await trainingData(trial, module), report, module);
}

/**
 * With `lazyTfjs`, an objective() that imported tfjs itself during the trial ran on tfjs's default backend, not
 * the configured one: say so in the trial's logs. Later trials in this thread get the backend (tfjs is loaded now).
 */
function noteLateTfjs(req: TrialRequest, module: LoadedModule, result: TrainResult): TrainResult {
  const engine = tfEngine();
  if (req.lazyTfjs === true && !backendSet && engine !== undefined) {
    console.warn(`task module ${module.label} imported @tensorflow/tfjs inside objective(), so trial ${req.trial.trialId} ran on tfjs's ${engine.backendName ?? 'default'} backend, not ${req.backend}: import tfjs at the top of the module`);
  }
  return result;
}

async function runTrial(req: TrialRequest): Promise<TrialResponse> {
  trialsRun++;
  const { trial, port } = req;
  const unbind = bindTrialPort(port); // a main-thread checkpoint store reaches the pool over this trial's port
  try {
    let result: TrainResult;
    try {
      result = await work(req, (epoch, metrics) => decide(port, epoch, metrics));
    } catch (e) {
      // Backend, module or data failures: nothing was built yet.
      const n = numTensors();
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
      tfBackend: tfEngine()?.backendName ?? 'none',
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
