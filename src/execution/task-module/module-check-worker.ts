/** The piscina entry module-check.ts runs in a throwaway thread: import a task module, as the trial workers will, and say what it exports. */
import { captureConsole } from '../worker/console-capture.js';
import { errorMessage } from '../failures.js';
import { loadTaskModule, MODULE_EXPORTS, type ModuleExport } from './task-module.js';

/** `loadsTfjs`: importing the module loaded tfjs in this thread (tfjs-core's engine global is set), which nothing here imports. */
export type CheckReply = { readonly ok: true; readonly exports: readonly ModuleExport[]; readonly loadsTfjs: boolean } | { readonly ok: false; readonly message: string };

captureConsole(); // what the module prints while it loads stays out of the tuner's output

export default async function check(path: string): Promise<CheckReply> {
  try {
    const module = await loadTaskModule(path);
    const loadsTfjs = (globalThis as { _tfengine?: unknown })._tfengine !== undefined;
    return { ok: true, exports: MODULE_EXPORTS.filter((name) => module[name] !== undefined), loadsTfjs };
  } catch (e) {
    return { ok: false, message: errorMessage(e) };
  }
}
