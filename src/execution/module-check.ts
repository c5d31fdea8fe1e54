/**
 * Checking a space's task module before a sweep starts, so a module that can't load or doesn't fit the space is an
 * input error (exit 2) instead of every trial failing the same way. The module is imported in a throwaway worker
 * thread: user code (and the tfjs it imports) never loads on the main thread.
 */
import { Worker } from 'node:worker_threads';
import { ExecutionError, InputError, type InputIssue } from '../core/errors.js';
import { METRICS, type SearchSpace } from '../space/types.js';
import { resolveWorkerEntry } from './pool.js';
import { moduleLabel, type ModuleExport } from './task-module.js';

type CheckReply = { readonly ok: true; readonly exports: readonly ModuleExport[] } | { readonly ok: false; readonly message: string };

const CHECK_TIMEOUT_MS = 120_000;

/** The exports the module at `path` provides; rejects with the module's own error (naming it) if it can't load. */
export function inspectTaskModule(path: string): Promise<readonly ModuleExport[]> {
  const { filename, execArgv } = resolveWorkerEntry(new URL('./module-check-worker.js', import.meta.url));
  // stdout/stderr: true keeps whatever the module prints at import out of the tuner's output.
  const worker = new Worker(filename, { workerData: { path }, stdout: true, stderr: true, ...(execArgv ? { execArgv } : {}) });
  worker.stdout.resume();
  worker.stderr.resume();
  return new Promise<readonly ModuleExport[]>((resolve, reject) => {
    const fail = (message: string): void => reject(new ExecutionError(message));
    const timer = setTimeout(() => fail(`task module ${moduleLabel(path)}: still loading after ${CHECK_TIMEOUT_MS / 1000} s`), CHECK_TIMEOUT_MS);
    worker.once('message', (reply: CheckReply) => (reply.ok ? resolve(reply.exports) : fail(reply.message)));
    worker.once('error', (e) => fail(`task module ${moduleLabel(path)}: failed to load: ${e.message}`));
    worker.once('exit', (code) => fail(`task module ${moduleLabel(path)}: the check's worker exited (code ${code}) before answering`));
    worker.once('exit', () => clearTimeout(timer));
  }).finally(() => void worker.terminate());
}

/**
 * Throws an InputError (at task.module, task.data or objective.metric) when the space's module can't load, or
 * leaves the space something to train on or a metric the built-in loop can't report. No module: nothing to check.
 */
export async function checkTaskModule(space: SearchSpace, file: string = space.name): Promise<void> {
  const path = space.task.module;
  if (path === undefined) return;
  let exports: readonly ModuleExport[];
  try {
    exports = await inspectTaskModule(path);
  } catch (e) {
    throw new InputError(file, [{ path: ['task', 'module'], message: (e as Error).message }]);
  }
  if (exports.includes('objective')) return;
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
}
