import { existsSync } from 'node:fs';
import { isPostgresUrl } from './postgres/url.js';

/** True when `target` is a SQLite file path with no file there (a server URL is never "missing" up front). */
export function storageMissing(target: string): boolean {
  return target !== ':memory:' && !isPostgresUrl(target) && !existsSync(target);
}
