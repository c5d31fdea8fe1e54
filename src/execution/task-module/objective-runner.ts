/**
 * A task module's `objective(params, trial)` in place of the built-in training loop. Its reports go to the strategy
 * like epochs do, so pruning and multi-fidelity work; `trial.checkpoint`/`restore` carry JSON state across a pause.
 * Never throws for a fault of the objective: that fails only this trial, with a message naming the module.
 */
import type { Decision, Metrics, TrialOutcome } from '../../core/types.js';
import { failed, thrown } from '../failures.js';
import { stateJson, stateOfTrial, type SavedState } from '../checkpoint/objective-state.js';
import { checkpointStoreFor } from '../checkpoint/stores.js';
import { callExport, TaskModuleError, type LoadedModule } from './task-module.js';
import type { JsonValue, TrialContext } from './task-module-types.js';
import type { EpochReporter } from '../training/trainer.js';
import type { TrialTask } from '../types.js';

type Objective = NonNullable<LoadedModule['objective']>;

/** What the objective has done so far in this run. */
interface Progress {
  step: number;
  decision: Decision;
  reported: boolean;
  last?: Metrics;
  /** Why the trial failed as 'nan' (a non-finite report), if it did. */
  nan?: string;
  state?: JsonValue;
  checkpoint?: string;
  /** Reports run one after another, even when the objective doesn't await each. */
  chain: Promise<unknown>;
}

const describe = (v: unknown): string => (typeof v === 'number' ? String(v) : v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function checkMetrics(metrics: unknown, fail: (why: string) => never): Metrics {
  if (metrics === undefined) return {};
  if (typeof metrics !== 'object' || metrics === null || Array.isArray(metrics)) return fail(`metrics must be an object of numbers, got ${describe(metrics)}`);
  for (const [k, v] of Object.entries(metrics)) if (typeof v !== 'number') fail(`metrics.${k} must be a number, got ${describe(v)}`);
  return metrics as Metrics;
}

function context(task: TrialTask, module: LoadedModule, p: Progress, startStep: number, report: EpochReporter): { trial: TrialContext; send: TrialContext['report'] } {
  const fail = (why: string): never => {
    throw new TaskModuleError(module.label, why);
  };
  const send = async (step: number, value: number, metrics?: Metrics): Promise<Decision> => {
    if (p.decision !== 'continue') return p.decision; // told to stop: nothing more is stored
    if (!Number.isInteger(step) || step <= p.step || step > task.budget) {
      fail(`trial.report(): step must be an integer after ${p.step} and at most the budget ${task.budget}, got ${describe(step)}`);
    }
    if (typeof value !== 'number') fail(`trial.report(): value must be a number, got ${describe(value)}`);
    const extra = checkMetrics(metrics, (why) => fail(`trial.report(): ${why}`));
    if (!Number.isFinite(value)) {
      p.nan = `${task.metric} is ${describe(value)} at step ${step}`;
      return (p.decision = 'stop');
    }
    p.step = step;
    p.reported = true;
    p.last = { ...extra, [task.metric]: value };
    return (p.decision = await report(step, p.last));
  };
  const trial: TrialContext = {
    id: task.trialId,
    params: task.params,
    seed: task.seed,
    budget: task.budget,
    startStep,
    metric: task.metric,
    report(step, value, metrics) {
      const next = p.chain.then(() => send(step, value, metrics));
      p.chain = next.catch(() => {});
      return next;
    },
    shouldStop: () => p.decision !== 'continue',
    async checkpoint(state) {
      let text: string;
      try {
        text = stateJson(state);
      } catch (e) {
        return fail((e as Error).message);
      }
      p.state = JSON.parse(text) as JsonValue; // a copy: later changes to the object don't leak into it
      // Without a checkpoint folder (a runner used directly) the state lives only as long as this run.
      if (task.checkpointDir !== undefined) p.checkpoint = await saveState(task, task.checkpointDir, { step: p.step, seed: task.seed, state: p.state });
    },
    restore: async <T extends JsonValue = JsonValue>() => p.state as T | undefined,
  };
  return { trial, send };
}

/** Stores the objective's state in the trial's slot (in this worker thread: see checkpoint/store.ts). */
const saveState = (task: TrialTask, slot: string, saved: SavedState): Promise<string> => checkpointStoreFor(task.checkpointStore).write(slot, { kind: 'state', saved });

function parseResult(result: unknown): { value: number; metrics?: unknown } | undefined {
  if (typeof result === 'number') return { value: result };
  if (typeof result === 'object' && result !== null && typeof (result as { value?: unknown }).value === 'number') {
    const r = result as { value: number; metrics?: unknown };
    return { value: r.value, ...(r.metrics !== undefined ? { metrics: r.metrics } : {}) };
  }
  return undefined;
}

export async function runObjective(module: LoadedModule, objective: Objective, task: TrialTask, report: EpochReporter): Promise<TrialOutcome> {
  const p: Progress = { step: 0, decision: 'continue', reported: false, chain: Promise.resolve() };
  try {
    const ref = task.resumeFrom;
    const saved = ref === undefined ? undefined : stateOfTrial(await checkpointStoreFor(task.checkpointStore).read(ref, 'state'), ref, task.seed);
    p.step = saved?.step ?? 0;
    if (saved?.state !== undefined) p.state = saved.state;
    const { trial, send } = context(task, module, p, p.step, report);
    const result = await callExport(module, 'objective', () => objective(task.params, trial));
    await p.chain; // a report the objective didn't await
    if (p.nan !== undefined) return failed('nan', p.nan, p.step, p.last);
    const parsed = parseResult(result);
    if (parsed === undefined) throw new TaskModuleError(module.label, `objective() must return a number or { value, metrics }, got ${describe(result)}`);
    if (!Number.isFinite(parsed.value)) return failed('nan', `objective() returned ${parsed.value}`, p.step, p.last);
    const metrics = checkMetrics(parsed.metrics, (why) => {
      throw new TaskModuleError(module.label, `objective() returned bad metrics: ${why}`);
    });
    // An objective that reports nothing still gives strategies a value to rank: its result, at the full budget.
    if (!p.reported && p.decision === 'continue') await send(task.budget, parsed.value, metrics);
    const done = { value: parsed.value, epochs: p.step, ...(p.last ? { metrics: p.last } : {}) };
    if (p.decision === 'stop') return { state: 'pruned', ...done };
    if (p.decision === 'continue') return { state: 'complete', ...done };
    // Paused without a checkpoint() in this run: keep the step reached, so the resumed run starts after it, and no
    // state (a state restored from an earlier step would not match that step).
    const checkpoint = p.checkpoint ?? (task.checkpointDir === undefined ? undefined : await saveState(task, task.checkpointDir, { step: p.step, seed: task.seed }));
    return { state: 'paused', ...done, ...(checkpoint !== undefined ? { checkpoint } : {}) };
  } catch (e) {
    await p.chain.catch(() => {});
    return thrown(e, p.step, p.last);
  }
}
