/**
 * The space `tune worker --study S` runs: the study's stored definition, with its files found on this machine.
 * A space file's data files and task module are stored as absolute paths, resolved against the space file's folder
 * on the machine that started the study; that folder is stored beside the definition (`spaceDir`). On another
 * machine they are found relative to `--root DIR` in its place, or to the same folder when the checkout lives at the
 * same path (a shared file system, or the same layout everywhere). A missing one is an InputError naming it.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage, redactUrl } from '../storage/index.js';
import { parseStoredSpace, splitDefinition } from './stored-space.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A path under `from` moved under `to`; any other path as it was. */
function rebase(path: string, from: string, to: string): string {
  const rel = relative(from, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel)) ? resolve(to, rel) : path;
}

/** Every file a task names: its module, a CSV's data and any other path-valued field under `task`. */
function taskFiles(task: unknown, at: (string | number)[] = ['task']): { path: (string | number)[]; file: string }[] {
  if (typeof task === 'string') return isAbsolute(task) ? [{ path: at, file: task }] : [];
  if (Array.isArray(task)) return task.flatMap((v, i) => taskFiles(v, [...at, i]));
  if (!isRecord(task)) return [];
  return Object.entries(task).flatMap(([k, v]) => taskFiles(v, [...at, k]));
}

/** Replaces the strings under `task` with their rebased paths (a deep copy). */
function rebaseTask(task: unknown, from: string, to: string): unknown {
  if (typeof task === 'string') return isAbsolute(task) ? rebase(task, from, to) : task;
  if (Array.isArray(task)) return task.map((v) => rebaseTask(v, from, to));
  if (!isRecord(task)) return task;
  return Object.fromEntries(Object.entries(task).map(([k, v]) => [k, rebaseTask(v, from, to)]));
}

/**
 * The space of stored study `name` for a worker on this machine, its files under `root` (default: the folder they
 * were found in where the study was started). Throws UsageError for an unknown study or one without a stored space,
 * and InputError (exit 2) naming every file that isn't there.
 */
export async function workerSpace(storagePath: string, name: string, root?: string): Promise<SearchSpace> {
  const storage = openStorage(storagePath, { readonly: true });
  const label = redactUrl(storagePath);
  let stored: unknown;
  try {
    const study = await storage.getStudy(name);
    if (study === null) throw new UsageError(`${label}: no study named "${name}"`);
    if (study.definition === null) throw new UsageError(`${label}: study "${name}" has no stored space; start it with tune --space FILE first`);
    stored = study.definition;
  } finally {
    await storage.close();
  }
  const { definition, spaceDir } = splitDefinition(stored);
  const space = parseStoredSpace(definition, storagePath, name);
  const from = spaceDir ?? '';
  const to = root === undefined ? from : resolve(root);
  const moved: SearchSpace = spaceDir === null ? space : { ...space, task: rebaseTask(space.task, from, to) as SearchSpace['task'] };
  const where = root !== undefined ? `--root ${to}` : spaceDir !== null ? `the space file's folder ${spaceDir}` : 'the paths stored with the study';
  const missing = taskFiles(moved.task).filter((f) => isFileField(f.path) && !existsSync(f.file));
  if (missing.length > 0) {
    throw new InputError(
      `${label}: study "${name}"`,
      missing.map((m) => ({ path: m.path, message: `file not found on this machine: ${m.file} (looked relative to ${where}; pass --root DIR for the folder that holds the space file's files here)` })),
    );
  }
  return Object.freeze(moved);
}

/** Fields under `task` that name a file, as opposed to absolute-looking text in some other field. */
const isFileField = (path: readonly (string | number)[]): boolean => {
  const last = path[path.length - 1];
  return last === 'module' || last === 'csv' || (typeof last === 'string' && /file$/i.test(last));
};
