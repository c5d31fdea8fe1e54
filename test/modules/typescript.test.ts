/** TypeScript users: .ts task modules load with no build step, and the package root exports the types they use. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Decision, Metrics } from '../../src/core/types.js';
import { createTrialRunner } from '../../src/execution/index.js';
import type { TrialRunner } from '../../src/execution/types.js';
import { openStorage } from '../../src/storage/index.js';
import { tempDir } from '../helpers/cli.js';
import { moduleFixture, moduleTask, ROOT } from './helpers.js';

let runner: TrialRunner;
before(async () => {
  runner = await createTrialRunner({ workers: 1, backend: 'wasm' });
});
after(async () => {
  await runner.close();
});

test('a .ts task module runs in a worker thread (through tsx, no build step)', async () => {
  const seen: Metrics[] = [];
  const outcome = await runner.run(moduleTask(moduleFixture('typed.ts'), { params: { x: 3 } }), async (_e, m): Promise<Decision> => {
    seen.push(m);
    return 'continue';
  });
  assert.equal(outcome.state, 'complete', outcome.error?.message);
  assert.equal(outcome.value, 9);
  assert.deepEqual(seen, [{ score: 9 }]);
});

test('the examples type-check against the types exported from the package root (import type … from "tune")', () => {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', moduleFixture('tsconfig.examples.json')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('from dist/ with plain node, a .ts module loads too, and its results land in SQLite (needs `npm run build`)', async () => {
  assert.ok(existsSync(join(ROOT, 'dist/execution/task-module/task-module.js')), 'dist/ is missing or stale: run `npm run build` (npm install does)');
  const db = join(tempDir(), 'tune.db');
  const args = [join(ROOT, 'dist/cli/main.js'), '--space', join(ROOT, 'search-spaces/examples/branin.json'), '--storage', db, '--trials', '3', '--workers', '1'];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /complete +branin=/);
  const storage = openStorage(db);
  try {
    const study = await storage.getStudy('branin');
    assert.ok(study !== null);
    assert.equal((await storage.trials(study.id, { states: ['complete'] })).length, 3);
  } finally {
    await storage.close();
  }
});
