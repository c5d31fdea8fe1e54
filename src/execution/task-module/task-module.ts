/**
 * Loading a task module (your own code) in a worker thread: import it once, check what it exports, and name it
 * in every error. `.ts` files load through tsx's `tsImport`, so they need no build step from source or from dist/.
 */
import { isAbsolute, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Params } from '../../core/types.js';
import { errorMessage, TaskModuleError } from '../../core/errors.js';
import type { LoadDataContext, ModelContext, TrialContext } from './task-module-types.js';

export const MODULE_EXPORTS = ['loadData', 'buildModel', 'objective'] as const;
export type ModuleExport = (typeof MODULE_EXPORTS)[number];

/** A module's exports as tune sees them before validating what they return. */
export interface LoadedModule {
  readonly path: string;
  /** The path as it appears in messages: relative to the working directory when inside it. */
  readonly label: string;
  readonly loadData?: (ctx: LoadDataContext) => unknown;
  readonly buildModel?: (params: Params, ctx: ModelContext) => unknown;
  readonly objective?: (params: Params, trial: TrialContext) => unknown;
}

/** A fault of the module itself (in core/errors.ts, with the rest of the hierarchy). */
export { TaskModuleError } from '../../core/errors.js';

export function moduleLabel(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

const isTypeScript = (path: string): boolean => /\.[cm]?ts$/.test(path);

async function importFile(path: string, label: string): Promise<unknown> {
  const url = pathToFileURL(path).href;
  if (!isTypeScript(path)) return import(url);
  let tsImport: (specifier: string, parent: string) => Promise<unknown>;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch (e) {
    throw new TaskModuleError(label, `loading a .ts module needs the tsx package (npm install tsx), or compile it to .js first: ${errorMessage(e)}`);
  }
  // tsImport, not register(): it also loads .ts files outside a "type": "module" package, which register() can't on Node 20.
  return tsImport(url, import.meta.url);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (typeof v === 'object' || typeof v === 'function') && v !== null;
}

/** Named exports win; a default export object (`export default { objective }`) is the fallback. */
function pick(ns: Record<string, unknown>, name: ModuleExport): unknown {
  if (ns[name] !== undefined) return ns[name];
  const fallback = ns['default'];
  return isRecord(fallback) ? fallback[name] : undefined;
}

function validate(ns: unknown, path: string, label: string): LoadedModule {
  if (!isRecord(ns)) throw new TaskModuleError(label, 'did not load as a module');
  const found: Partial<Record<ModuleExport, (...args: never[]) => unknown>> = {};
  for (const name of MODULE_EXPORTS) {
    const value = pick(ns, name);
    if (value === undefined) continue;
    if (typeof value !== 'function') throw new TaskModuleError(label, `export ${name} must be a function, got ${value === null ? 'null' : typeof value}`);
    found[name] = value as (...args: never[]) => unknown;
  }
  if (Object.keys(found).length === 0) {
    const names = Object.keys(ns).filter((k) => k !== 'default');
    const seen = names.length > 0 ? `it exports ${names.join(', ')}` : 'it exports nothing';
    throw new TaskModuleError(label, `exports none of ${MODULE_EXPORTS.join(', ')} (${seen})`);
  }
  return { path, label, ...(found as Omit<LoadedModule, 'path' | 'label'>) };
}

const loaded = new Map<string, Promise<LoadedModule>>();

/** Imports and checks the module at an absolute path, once per thread (a failure is remembered too). */
export function loadTaskModule(path: string): Promise<LoadedModule> {
  let module = loaded.get(path);
  if (module === undefined) {
    const label = moduleLabel(path);
    module = importFile(path, label).then(
      (ns) => validate(ns, path, label),
      (e: unknown) => {
        throw e instanceof TaskModuleError ? e : new TaskModuleError(label, `failed to load: ${errorMessage(e)}`, { cause: e });
      },
    );
    loaded.set(path, module);
  }
  return module;
}

/** Calls one of the module's exports; whatever it throws becomes an error naming the module and the export. */
export async function callExport<T>(module: LoadedModule, name: ModuleExport, call: () => T | Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof TaskModuleError) throw e;
    throw new TaskModuleError(module.label, `${name}() threw: ${errorMessage(e)}`, { cause: e });
  }
}
