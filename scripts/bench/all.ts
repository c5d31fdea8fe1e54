/**
 * Runs the benchmarks one after another, each in its own process (so none inherits another's heap, JIT state or
 * worker threads), printing each one's table, then a summary. Exits 1 if any failed.
 * Run: `npm run bench -- all [--quick] [--only overhead,memory]`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { printTable } from './lib/common.js';

const BENCHMARKS = ['throughput', 'search', 'fidelity', 'overhead', 'utilisation', 'memory'] as const;

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } } });
const chosen = args.only === undefined ? [...BENCHMARKS] : args.only.split(',').map((s) => s.trim());
const unknown = chosen.filter((name) => !(BENCHMARKS as readonly string[]).includes(name));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.join(', ')}\n`);
  process.exit(2);
}

/** Runs scripts/bench/<name>.ts with this process's loader flags (tsx); resolves to its exit code. */
function runOne(name: string): Promise<number> {
  const file = fileURLToPath(new URL(`./${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, [...process.execArgv, file, ...(args.quick ? ['--quick'] : [])], { stdio: 'inherit' });
  return new Promise((resolve) => {
    child.on('error', () => resolve(1));
    child.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 128 : 1)));
  });
}

const summary: string[][] = [];
let failures = 0;
for (const name of chosen) {
  process.stdout.write(`\n=== ${name}${args.quick ? ' --quick' : ''} ===\n`);
  const t0 = performance.now();
  const code = await runOne(name);
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) failures++;
  summary.push([name, code === 0 ? 'ok' : `FAILED (exit ${code})`, seconds.toFixed(1)]);
}
process.stdout.write('\n=== summary ===\n');
printTable(['benchmark', 'result', 'seconds'], summary);
process.exitCode = failures > 0 ? 1 : 0;
