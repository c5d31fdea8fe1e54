/** The piscina entry module-check.ts runs in a throwaway thread: import a task module, as the trial workers will, and say what it exports. */
import { captureConsole } from '../worker/console-capture.js';
import { errorMessage } from '../failures.js';
import { loadTaskModule, MODULE_EXPORTS, type ModuleExport } from './task-module.js';

export type CheckReply = { readonly ok: true; readonly exports: readonly ModuleExport[] } | { readonly ok: false; readonly message: string };

captureConsole(); // what the module prints while it loads stays out of the tuner's output

export default async function check(path: string): Promise<CheckReply> {
  try {
    const module = await loadTaskModule(path);
    return { ok: true, exports: MODULE_EXPORTS.filter((name) => module[name] !== undefined) };
  } catch (e) {
    return { ok: false, message: errorMessage(e) };
  }
}
