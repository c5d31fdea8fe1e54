import { existsSync } from 'node:fs';
import { checkStorageScheme, isPostgresUrl } from './postgres/url.js';

/**
 * True when `target` is a SQLite file path with no file there (a server URL is never "missing" up front).
 * Throws UsageError (exit 2) for a URL scheme tune doesn't support.
 */
export function storageMissing(target: string): boolean {
  checkStorageScheme(target);
  return target !== ':memory:' && !isPostgresUrl(target) && !existsSync(target);
}
