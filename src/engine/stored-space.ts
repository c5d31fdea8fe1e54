/**
 * The space a study last ran with, read back for `tune resume --study S`. The stored definition is the normalised
 * space of the run that wrote it, possibly by another version of tune; it is validated with this version's space
 * schema like a space file, never trusted as it is.
 */
import { resolve } from 'node:path';
import { formatPath, InputError, StoredSpaceError, UsageError } from '../core/errors.js';
import { parseSpace } from '../space/index.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage, redactUrl } from '../storage/index.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The key the space file's folder is stored under, beside the normalised space (`StudyRecord.definition`). */
export const SPACE_DIR_KEY = 'spaceDir';


/** The stored definition for a run whose space file lives in `spaceDir` (absent when the space came from code). */
export function definitionWithDir(space: SearchSpace, spaceDir: string | undefined): unknown {
  return spaceDir === undefined ? space : { ...space, [SPACE_DIR_KEY]: resolve(spaceDir) };
}

/** Splits a stored definition into the space proper and the folder its files were resolved against. */
export function splitDefinition(definition: unknown): { readonly definition: unknown; readonly spaceDir: string | null } {
  if (!isRecord(definition) || typeof definition[SPACE_DIR_KEY] !== 'string') return { definition, spaceDir: null };
  const { [SPACE_DIR_KEY]: dir, ...rest } = definition;
  return { definition: rest, spaceDir: dir as string };
}

/**
 * A normalised space as a space file: the forms normalising doesn't keep are a fixed param (`0.01` in the file,
 * `{ type: 'fixed', value: 0.01 }` once normalised) and a log int range's implied step 1. Everything else parses back to itself.
 */
function asSpaceFile(definition: unknown): unknown {
  if (!isRecord(definition) || !isRecord(definition.params)) return definition;
  const params = Object.fromEntries(Object.entries(definition.params).map(([name, p]) => [name, isRecord(p) && p.type === 'fixed' && 'value' in p ? p.value : unstepLogInt(p)]));
  return { ...definition, params };
}

/** A log int range is normalised with step 1, which the file form refuses beside "log": drop it again. */
function unstepLogInt(p: unknown): unknown {
  if (!isRecord(p) || p.type !== 'int' || p.log !== true || p.step !== 1) return p;
  const { step: _step, ...rest } = p;
  return rest;
}

/**
 * Validates a stored definition (with or without its space file's folder beside it); throws a StoredSpaceError
 * (exit 2) that says why it can't be resumed from storage.
 */
export function parseStoredSpace(definition: unknown, storagePath: string, name: string): SearchSpace {
  const raw = asSpaceFile(splitDefinition(definition).definition);
  const label = `${redactUrl(storagePath)}: study "${name}"`;
  try {
    return parseSpace(raw, storagePath, { checkFiles: false });
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    let askTell = false;
    try {
      parseSpace(raw, storagePath, { checkFiles: false, askTell: true });
      askTell = true;
    } catch {
      // Not a valid ask-and-tell space either.
    }
    if (askTell) {
      throw new StoredSpaceError(`${label} was made with the ask-and-tell API (your code evaluates its trials), so tune resume can't run it; use openStudy() again`, { cause: e });
    }
    const issues = e.issues.map((i) => `  at ${formatPath(i.path)}: ${i.message}`).join('\n');
    throw new StoredSpaceError(
      `${label} has a stored space that this version of tune can't read: it was most likely stored by another version.\n${issues}\n` +
        'Run it with --space FILE (the same space, in this version\'s format) to continue it.',
      { cause: e },
    );
  }
}

/** The space a study last ran with, for `tune resume --study S`. */
export async function storedSpace(storagePath: string, name: string): Promise<SearchSpace> {
  const storage = openStorage(storagePath);
  try {
    const study = await storage.getStudy(name);
    if (study === null) throw new UsageError(`${redactUrl(storagePath)}: no study named "${name}"`);
    if (study.definition === null) throw new UsageError(`${redactUrl(storagePath)}: study "${name}" has no stored space; run it with --space FILE`);
    return parseStoredSpace(study.definition, storagePath, name);
  } finally {
    await storage.close();
  }
}
