import type { StudyRecord } from '../core/types.js';
import { UsageError } from '../core/errors.js';
import { openStorage, redactUrl, storageMissing } from '../storage/index.js';
import type { Storage } from '../storage/types.js';

/** Opens an existing database for reading; a missing file is a usage error rather than a new empty database. */
export async function withExistingStorage<T>(path: string, use: (storage: Storage) => Promise<T>): Promise<T> {
  if (storageMissing(path)) {
    throw new UsageError(`${path}: no database here (run a sweep first, or pass --storage)`);
  }
  const storage = openStorage(path);
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}

export async function requireStudy(storage: Storage, name: string, path: string): Promise<StudyRecord> {
  const study = await storage.getStudy(name);
  if (study !== null) return study;
  const known = (await storage.studies()).map((s) => s.study.name);
  throw new UsageError(
    `${redactUrl(path)}: no study named "${name}"` + (known.length > 0 ? `; known studies: ${known.join(', ')}` : '; the database has no studies'),
  );
}
