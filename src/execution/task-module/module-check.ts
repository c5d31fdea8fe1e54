/**
 * Checking a space's task module before a sweep starts, so a module that can't load or doesn't fit the space is an
 * input error (exit 2) instead of every trial failing the same way. The module is imported in a throwaway worker
 * thread: user code (and the tfjs it imports) never loads on the main thread.
 */
import { Piscina } from 'piscina';
import { ExecutionError, InputError, type InputIssue } from '../../core/errors.js';
import { METRICS, type SearchSpace } from '../../space/types.js';
import { resolveWorkerEntry } from '../pool/pool.js';
import { errorMessage } from '../failures.js';
import type { DataCheckReply, DataCheckRequest } from './data-check-worker.js';
import type { CheckReply } from './module-check-worker.js';
import type { LoadDataContext } from './task-module-types.js';
import { moduleLabel, type ModuleExport } from './task-module.js';

const CHECK_TIMEOUT_MS = 120_000;

/** Runs one request in a one-thread piscina pool (as the trial workers are, so a .ts entry loads the same way under tsx), then ends the thread. */
async function inThrowawayThread<Req, Reply>(entry: URL, request: Req, what: string): Promise<Reply> {
  const { filename, execArgv } = resolveWorkerEntry(entry);
  const pool = new Piscina<Req, Reply>({ filename, ...(execArgv ? { execArgv } : {}), minThreads: 1, maxThreads: 1 });
  try {
    return await pool.run(request, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) }).catch((e: unknown) => {
      const why = (e as { name?: unknown } | null)?.name === 'AbortError' ? `still loading after ${CHECK_TIMEOUT_MS / 1000} s` : `failed to load: ${errorMessage(e)}`;
      throw new ExecutionError(`${what}: ${why}`);
    });
  } finally {
    await pool.destroy(); // whatever the module started (timers, handles) goes with the thread
  }
}

/** Calls the module's loadData() once in a throwaway thread and checks what it returns; rejects with why it can't serve. */
async function checkModuleLoadData(path: string, ctx: LoadDataContext): Promise<void> {
  const reply = await inThrowawayThread<DataCheckRequest, DataCheckReply>(new URL('./data-check-worker.js', import.meta.url), { path, ctx }, `task module ${moduleLabel(path)}`);
  if (!reply.ok) throw new ExecutionError(reply.message);
}

/** What importing a task module showed: its exports, and whether its imports load tfjs. */
export interface TaskModuleFacts {
  readonly exports: readonly ModuleExport[];
  readonly loadsTfjs: boolean;
}

async function inspect(path: string): Promise<TaskModuleFacts> {
  const reply = await inThrowawayThread<string, CheckReply>(new URL('./module-check-worker.js', import.meta.url), path, `task module ${moduleLabel(path)}`);
  if (!reply.ok) throw new ExecutionError(reply.message);
  return { exports: reply.exports, loadsTfjs: reply.loadsTfjs };
}

/** The exports the module at `path` provides; rejects with the module's own error (naming it) if it can't load. */
export async function inspectTaskModule(path: string): Promise<readonly ModuleExport[]> {
  return (await inspect(path)).exports;
}

export interface CheckModuleOptions {
  /** Also call the module's loadData() once and check what it returns (a sweep does, before any trial). */
  readonly loadData?: boolean;
}

/**
 * Throws an InputError (at task.module, task.data or objective.metric) when the space's module can't load, or
 * leaves the space something to train on or a metric the built-in loop can't report; with `loadData`, also when its
 * loadData() throws or returns data that doesn't fit. Resolves with the module's exports; no module: undefined.
 */
export async function verifyTaskModule(space: SearchSpace, file: string = space.name, options: CheckModuleOptions = {}): Promise<TaskModuleFacts | undefined> {
  const path = space.task.module;
  if (path === undefined) return undefined;
  let facts: TaskModuleFacts;
  try {
    facts = await inspect(path);
    const { exports } = facts;
    if (options.loadData && exports.includes('loadData') && !exports.includes('objective')) {
      await checkModuleLoadData(path, { seed: space.seed, validationSplit: space.task.validationSplit, task: space.task });
    }
  } catch (e) {
    throw new InputError(file, [{ path: ['task', 'module'], message: (e as Error).message }]);
  }
  const { exports } = facts;
  if (exports.includes('objective')) return facts;
  const label = moduleLabel(path);
  const issues: InputIssue[] = [];
  if (!exports.includes('loadData') && space.task.data === undefined) {
    issues.push({ path: ['task', 'data'], message: `required: task module ${label} exports no loadData() or objective(), so the space must give the data` });
  }
  const metric = space.objective.metric;
  if (!exports.includes('buildModel') && !(METRICS as readonly string[]).includes(metric)) {
    const known = METRICS.map((m) => JSON.stringify(m)).join(' | ');
    issues.push({ path: ['objective', 'metric'], message: `expected ${known}, got ${JSON.stringify(metric)}: task module ${label} has no objective(), and the built-in model reports only these` });
  }
  if (issues.length > 0) throw new InputError(file, issues);
  return facts;
}

/** {@link verifyTaskModule} without its result: throws an InputError when the space's module can't serve it. */
export async function checkTaskModule(space: SearchSpace, file: string = space.name, options: CheckModuleOptions = {}): Promise<void> {
  await verifyTaskModule(space, file, options);
}
