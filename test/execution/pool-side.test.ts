import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const POOL_DIR = new URL('../../src/execution/pool/', import.meta.url);
const HOOK = new URL('../fixtures/execution/record-tfjs-loads.mjs', import.meta.url);

/** The main-thread side of execution/: its public index and every module in pool/. */
function poolSideModules(): string[] {
  const pool = readdirSync(POOL_DIR).filter((name) => name.endsWith('.ts')).map((name) => fileURLToPath(new URL(name, POOL_DIR)));
  return [fileURLToPath(new URL('../../src/execution/index.ts', import.meta.url)), ...pool];
}

/** Imports `modules` in a fresh Node process and returns every @tensorflow module it resolved or required. */
function tensorflowLoadsWhenImporting(modules: readonly string[]): string[] {
  const probe = `
    import { register, createRequire } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    const seen = [];
    port1.on('message', (url) => seen.push(url));
    register(${JSON.stringify(HOOK.href)}, { data: { port: port2 }, transferList: [port2] });
    for (const file of ${JSON.stringify(modules)}) await import(file);
    await new Promise((done) => setTimeout(done, 50));
    port1.close();
    const required = Object.keys(createRequire(import.meta.url).cache).filter((key) => key.includes('/@tensorflow/'));
    console.log(JSON.stringify([...seen, ...required, ...('_tfengine' in globalThis ? ['globalThis._tfengine'] : [])]));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop() ?? '[]') as string[];
}

test('the pool side of execution/ (index.ts and every file in pool/) loads no @tensorflow module', () => {
  const modules = poolSideModules();
  assert.ok(modules.length >= 4, `expected index.ts and the pool/ files, found ${modules.length}`);
  assert.deepEqual(tensorflowLoadsWhenImporting(modules), []);
});

test('the probe sees tfjs when a module does load it, so the check above can fail', () => {
  const trainer = fileURLToPath(new URL('../../src/execution/training/loss.ts', import.meta.url));
  const loads = tensorflowLoadsWhenImporting([trainer]);
  assert.ok(loads.some((url) => url.includes('@tensorflow/tfjs')), `expected a @tensorflow load, got ${JSON.stringify(loads)}`);
});
