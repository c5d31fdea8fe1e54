/** A one-off worker thread for module-check.ts: import a task module, as the trial workers will, and say what it exports. */
import { parentPort, workerData } from 'node:worker_threads';
import { errorMessage } from './failures.js';
import { loadTaskModule, MODULE_EXPORTS } from './task-module.js';

const { path } = workerData as { path: string };
try {
  const module = await loadTaskModule(path);
  parentPort?.postMessage({ ok: true, exports: MODULE_EXPORTS.filter((name) => module[name] !== undefined) });
} catch (e) {
  parentPort?.postMessage({ ok: false, message: errorMessage(e) });
}
