import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRng } from '../../src/core/rng.js';

const root = resolve(import.meta.dirname, '../..');

/** The newest modification time (ms) of any file under `dir`. */
function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

let cliArgv: readonly string[] | undefined;

/**
 * How a child process starts the CLI: the built dist/cli/main.js (what `tune` runs) when it was built after the
 * last change under src/, else src/cli/main.ts through tsx. From dist/ neither the CLI nor its worker threads load
 * tsx's loader, so a command starts in well under half the time. A stale or missing dist/ is never run, so a test
 * always runs the code in src/. `.ci/run` builds dist/ (npm ci's prepare) before `npm test`.
 */
export function cliArgs(): readonly string[] {
  if (cliArgv === undefined) {
    const built = join(root, 'dist/cli/main.js');
    const fresh = existsSync(built) && statSync(built).mtimeMs >= newestMtime(join(root, 'src'));
    // tsx by URL, so that it resolves when the child's working folder is outside the checkout.
    cliArgv = fresh ? [built] : ['--import', import.meta.resolve('tsx'), join(root, 'src/cli/main.ts')];
  }
  return cliArgv;
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process, as a user would (from dist/ when it is up to date, see `cliArgs`). */
export function runCli(args: readonly string[], timeoutMs = 240_000, env?: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeoutMs,
    ...(env !== undefined ? { env: { ...process.env, ...env } } : {}),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `runCli` without blocking, so that a test can run several sweeps that mostly wait at once. */
export function runCliAsync(args: readonly string[], timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
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

/** The CLI in a child process that the test can watch and signal while it runs. */
export function spawnCli(args: readonly string[]): { child: import('node:child_process').ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))));
  return { child, output: () => out, exit };
}

/** Resolves once `predicate(output)` holds, polling every 20 ms; rejects after `timeoutMs`. */
export async function waitFor(output: () => string, predicate: (out: string) => boolean, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!predicate(output())) {
    if (Date.now() > until) throw new Error(`timed out waiting; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function count(out: string, pattern: RegExp): number {
  return out.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}
