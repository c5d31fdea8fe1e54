import { StorageError, UsageError } from '../core/errors.js';
import { openStorage, redactUrl, storageMissing } from '../storage/index.js';
import type { Storage } from '../storage/types.js';

/**
 * Opens an existing database read-only (nothing written: no migration, no WAL switch), for commands that only look.
 * A missing file, or one that isn't a tune database, is bad input (exit 2) naming the file.
 */
export async function withReadOnlyStorage<T>(path: string, use: (storage: Storage) => Promise<T>): Promise<T> {
  if (storageMissing(path)) throw new UsageError(`${path}: no database here (run a sweep first, or pass --storage)`);
  let storage: Storage;
  try {
    storage = openStorage(path, { readonly: true });
  } catch (e) {
    if (e instanceof StorageError) throw new UsageError(e.message.startsWith(path) ? e.message : `${redactUrl(path)}: ${e.message}`, { cause: e });
    throw e;
  }
  try {
    return await use(storage);
  } finally {
    await storage.close();
  }
}
