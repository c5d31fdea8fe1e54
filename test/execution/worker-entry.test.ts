import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { loaderExecArgv, resolveWorkerEntry } from '../../src/execution/pool/pool.js';

test('from source (under tsx) the .ts worker is used, and its thread inherits the loader flags', () => {
  const entry = resolveWorkerEntry();
  assert.match(entry.filename, /src[/\\]execution[/\\]worker[/\\]worker\.ts$/);
  assert.deepEqual(entry.execArgv, loaderExecArgv());
  assert.ok(process.execArgv.includes('tsx') ? entry.execArgv!.includes('tsx') : true);
});

test('from dist/ the compiled .js worker is used as is', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tune-entry-'));
  writeFileSync(join(dir, 'worker.js'), 'export default () => 1;\n');
  const entry = resolveWorkerEntry(pathToFileURL(join(dir, 'worker.js')));
  assert.equal(entry.filename, join(dir, 'worker.js'));
  assert.equal(entry.execArgv, undefined);
  assert.throws(() => resolveWorkerEntry(pathToFileURL(join(dir, 'missing.js'))), /worker entry not found/);
});

test('only loader flags go to worker threads (they reject per-process flags like --max-old-space-size)', () => {
  const argv = ['--max-old-space-size=2048', '--import', 'tsx', '--require', '/x/preflight.cjs', '--enable-source-maps', '--title', 'x', '--conditions=dev'];
  assert.deepEqual(loaderExecArgv(argv), ['--import', 'tsx', '--require', '/x/preflight.cjs', '--enable-source-maps', '--conditions=dev']);
});
