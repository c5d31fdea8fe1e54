/**
 * The piscina entry module-check.ts runs in a throwaway thread before a sweep whose module exports loadData(): call
 * it once, as a trial's worker would, and check what it returns, so data that can't load is an input error instead
 * of every trial failing. A thread of its own because it loads tfjs, which listing a module's exports doesn't need.
 */
import { captureConsole } from '../worker/console-capture.js';
import { errorMessage } from '../failures.js';
import { checkModuleData } from '../training/task-data.js';
import { loadTaskModule } from './task-module.js';
import type { LoadDataContext } from './task-module-types.js';

export interface DataCheckRequest {
  readonly path: string;
  readonly ctx: LoadDataContext;
}

export type DataCheckReply = { readonly ok: true } | { readonly ok: false; readonly message: string };

captureConsole(); // what the module prints stays out of the tuner's output

export default async function checkData(request: DataCheckRequest): Promise<DataCheckReply> {
  try {
    const module = await loadTaskModule(request.path);
    if (module.loadData !== undefined) await checkModuleData(module, module.loadData, request.ctx);
    return { ok: true };
  } catch (e) {
    return { ok: false, message: errorMessage(e) };
  }
}
