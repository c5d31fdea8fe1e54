/** Modules that are broken, or break: each error names the module and the export, and fails only its trial. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../../src/core/errors.js';
import type { Decision } from '../../src/core/types.js';
import { checkTaskModule, createTrialRunner } from '../../src/execution/index.js';
import type { TrialRunner } from '../../src/execution/types.js';
import { parseSpace } from '../../src/space/index.js';
import { moduleFixture, moduleTask, writeModule } from './helpers.js';

const keepGoing = async (): Promise<Decision> => 'continue';

const BROKEN: { name: string; file: string; source: string; message: RegExp }[] = [
  { name: 'a syntax error', file: 'bad-syntax.mjs', source: 'export function objective( {', message: /task module .*bad-syntax\.mjs: failed to load: .*(SyntaxError|Unexpected)/ },
  { name: 'a .ts syntax error', file: 'bad-syntax.ts', source: 'export const objective = (: number) => 1;', message: /task module .*bad-syntax\.ts: failed to load: / },
  { name: 'no known export', file: 'none.mjs', source: 'export const train = () => 1;\nexport const x = 2;', message: /task module .*none\.mjs: exports none of loadData, buildModel, objective \(it exports train, x\)/ },
  { name: 'an export that is no function', file: 'not-fn.mjs', source: 'export const objective = 42;', message: /task module .*not-fn\.mjs: export objective must be a function, got number/ },
  { name: 'objective() returning a string', file: 'string.mjs', source: 'export const objective = () => "0.5";', message: /task module .*string\.mjs: objective\(\) must return a number or \{ value, metrics \}, got string/ },
  { name: 'loadData() of the wrong shape', file: 'data.mjs', source: 'export const loadData = () => ({ train: { xs: { values: [1, 2], shape: [2, 1] }, ys: 3 } });', message: /task module .*data\.mjs: loadData\(\) must return \{ train: \{ xs, ys \}, validation: \{ xs, ys \} \}: train\.ys must be a tensor or \{ values, shape \}, got number/ },
  { name: 'buildModel() returning no model', file: 'model.mjs', source: 'export const buildModel = () => 42;', message: /task module .*model\.mjs: buildModel\(\) must return a tf\.LayersModel .*got number/ },
  { name: 'a report with a bad step', file: 'step.mjs', source: 'export async function objective(p, trial) { await trial.report(0, 1); return 1; }', message: /task module .*step\.mjs: trial\.report\(\): step must be an integer after 0 and at most the budget 2, got 0/ },
  { name: 'an objective that throws', file: 'boom.mjs', source: 'export function objective() { throw new Error("boom"); }', message: /task module .*boom\.mjs: objective\(\) threw: boom/ },
];

describe('broken task modules', () => {
  let runner: TrialRunner;
  before(async () => {
    runner = await createTrialRunner({ workers: 1, backend: 'wasm' });
  });
  after(async () => {
    await runner.close();
  });

  for (const c of BROKEN) {
    test(`${c.name}: the trial fails with a message naming the module and the export`, async () => {
      const data = { data: { builtin: 'mnist' as const, limit: 50 } };
      const outcome = await runner.run(moduleTask(writeModule(c.file, c.source), { task: data, metric: 'val_accuracy' }), keepGoing);
      assert.equal(outcome.state, 'failed');
      assert.equal(outcome.error?.kind, 'exception');
      assert.match(outcome.error?.message ?? '', c.message);
    });
  }

  test('a throwing objective fails only its trial: the next one on the same worker completes', async () => {
    const throws = moduleFixture('throws.mjs');
    const bad = await runner.run(moduleTask(throws, { params: { x: 0.9 } }), keepGoing);
    const good = await runner.run(moduleTask(throws, { params: { x: 0.1 } }), keepGoing);
    assert.equal(bad.state, 'failed');
    assert.match(bad.error?.message ?? '', /task module .*throws\.mjs: objective\(\) threw: x=0.9 is too big/);
    assert.equal(good.state, 'complete');
    assert.equal(good.value, 0.1);
  });

  test('a NaN report fails the trial as nan', async () => {
    const file = writeModule('nan.mjs', 'export async function objective(p, trial) { await trial.report(1, NaN); return 1; }');
    const outcome = await runner.run(moduleTask(file), keepGoing);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'nan');
    assert.match(outcome.error?.message ?? '', /score is NaN at step 1/);
  });
});

describe('checkTaskModule: before a sweep starts', () => {
  const space = (module: string, extra: Record<string, unknown> = {}) =>
    parseSpace({ name: 'm', objective: { metric: 'score' }, task: { module, ...extra }, params: { x: { type: 'float', min: 0, max: 1 } }, strategy: { type: 'random', trials: 1 } }, '/tmp/space.json');
  const issues = async (fn: () => Promise<void>): Promise<string[]> => {
    try {
      await fn();
    } catch (e) {
      assert.ok(e instanceof InputError, String(e));
      return e.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    }
    return [];
  };

  test('a module that fails to load is an input error at task.module', async () => {
    const found = await issues(() => checkTaskModule(space(writeModule('broken.mjs', 'export const = ;'))));
    assert.equal(found.length, 1);
    assert.match(found[0]!, /^task\.module: task module .*broken\.mjs: failed to load/);
  });

  test('a buildModel-only module needs task.data and a metric the built-in loop reports', async () => {
    const found = await issues(() => checkTaskModule(space(moduleFixture('mlp.mjs'))));
    assert.deepEqual(found.map((f) => f.split(':')[0]), ['task.data']);
    const noMetric = await issues(() => checkTaskModule(space(moduleFixture('blobs-data.mjs'))));
    assert.match(noMetric.join('\n'), /^objective\.metric: expected "val_accuracy" \| .*got "score": task module .*blobs-data\.mjs has no objective\(\)/);
  });

  test('an objective module passes', async () => {
    assert.deepEqual(await issues(() => checkTaskModule(space(moduleFixture('throws.mjs')))), []);
  });
});
