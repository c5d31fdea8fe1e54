/**
 * The piscina entry module-check.ts runs in a throwaway thread: import a task module, as the trial workers will, and
 * say what it exports. Asked to, it also calls the module's loadData() once and checks what it returns, so data that
 * can't load is found before any trial instead of failing every one.
 */
import { captureConsole } from '../worker/console-capture.js';
import { errorMessage } from '../failures.js';
import { loadTaskModule, MODULE_EXPORTS, type ModuleExport } from './task-module.js';
import type { LoadDataContext } from './task-module-types.js';

export interface CheckRequest {
  readonly path: string;
  /** Call loadData() with this context (when the module exports it and no objective()). */
  readonly loadData?: LoadDataContext;
}

export type CheckReply =
  | { readonly ok: true; readonly exports: readonly ModuleExport[] }
  | { readonly ok: false; readonly message: string; readonly stage: 'load' | 'loadData' };

captureConsole(); // what the module prints while it loads stays out of the tuner's output

export default async function check(request: CheckRequest): Promise<CheckReply> {
  let exports: ModuleExport[];
  let module;
  try {
    module = await loadTaskModule(request.path);
    exports = MODULE_EXPORTS.filter((name) => module![name] !== undefined);
  } catch (e) {
    return { ok: false, message: errorMessage(e), stage: 'load' };
  }
  const loadData = module.loadData;
  if (request.loadData !== undefined && loadData !== undefined && module.objective === undefined) {
    try {
      // Loaded only here: listing a module's exports needs no tfjs.
      const { checkModuleData } = await import('../training/task-data.js');
      await checkModuleData(module, loadData, request.loadData);
    } catch (e) {
      return { ok: false, message: errorMessage(e), stage: 'loadData' };
    }
  }
  return { ok: true, exports };
}
