import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');

/** Screenshots of the views go here (results/ is git-ignored); created if missing. */
export function screenshotDir(): string {
  const dir = join(ROOT, 'results', 'report-screens');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Compiles the page's browser code (tsconfig.client.json → dist/report-client/) so the report under test inlines
 * the client as it is in this checkout, not a stale build.
 */
export function buildClient(): void {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.client.json')], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tsc -p tsconfig.client.json failed:\n${r.stdout}\n${r.stderr}`);
}
