import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../../src/core/rng.js';

const root = resolve(import.meta.dirname, '../..');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI from source in a child process, as a user would (through tsx instead of dist/). */
export function runCli(args: readonly string[], timeoutMs = 240_000): CliResult {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'tune-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Three seeded Gaussian blobs in 4 dimensions: a small CSV classification task that a tiny MLP can learn. */
export function writeBlobsCsv(file: string, perClass = 80, seed = 1): void {
  const rng = createRng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = [[0, 0, 0, 0], [3, 3, 0, 1], [-3, 2, 2, -1]];
  const lines = ['f1,f2,f3,f4,label'];
  for (let i = 0; i < perClass; i++) {
    centres.forEach((c, label) => lines.push([...c.map((m) => (m + gauss()).toFixed(4)), ['red', 'green', 'blue'][label]].join(',')));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}

export function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}
