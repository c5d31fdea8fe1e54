/**
 * `tfjs: 'when-needed'`: workers of an objective() module that imports no tfjs skip the tfjs import (seconds of CPU
 * per thread); one worker probes the backend, and a worker whose trial needs tfjs after all gets that backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Decision } from '../../src/core/types.js';
import { checkTaskData, createTrialRunner } from '../../src/execution/index.js';
import type { ExecutionOutcome, TrialRunner } from '../../src/execution/types.js';
import { parseSpace } from '../../src/space/index.js';
import { moduleFixture, moduleTask } from '../modules/helpers.js';

const keepGoing = async (): Promise<Decision> => 'continue';
/** Two trials at once, so each of the two workers runs one (the balancer gives a task only to an idle worker). */
const both = (runner: TrialRunner, fixture: string): Promise<ExecutionOutcome[]> =>
  Promise.all([0.5, 3].map((x) => runner.run(moduleTask(moduleFixture(fixture), { params: { x, wait: 300 }, budget: 1 }), keepGoing)));

const spaceWith = (fixture: string) =>
  parseSpace({ name: 'lazy', objective: { metric: 'score', direction: 'minimize' }, task: { module: moduleFixture(fixture) }, params: { x: { type: 'float', min: 0, max: 1 } }, strategy: { type: 'random', trials: 1 } }, '/tmp/lazy.json');

test('the module check says when the workers need tfjs: not up front for an objective() module that imports none', async () => {
  assert.equal(await checkTaskData(spaceWith('sleep-objective.mjs')), 'when-needed');
  assert.equal(await checkTaskData(spaceWith('tfjs-objective.mjs')), 'at-start', 'its import loads tfjs');
});

describe("a pool with tfjs: 'when-needed'", () => {
  let runner: TrialRunner;
  before(async () => {
    runner = await createTrialRunner({ workers: 2, backend: 'wasm', tfjs: 'when-needed' });
  });
  after(async () => runner.close());

  test('reports the probed backend, and the worker that was not probed runs a tfjs-free objective without tfjs', async () => {
    assert.equal(runner.info.backend, 'wasm');
    const outcomes = await both(runner, 'sleep-objective.mjs');
    assert.deepEqual(outcomes.map((o) => [o.state, o.value]), [['complete', 0.5], ['complete', 3]]);
    assert.equal(new Set(outcomes.map((o) => o.diagnostics?.threadId)).size, 2, 'one trial per worker');
    assert.deepEqual(outcomes.map((o) => o.diagnostics?.tfBackend).sort(), ['none', 'wasm'], 'only the probed worker has tfjs loaded');
  });

  test('a module that imports tfjs runs on the probed backend in every worker, the unprobed one included', async () => {
    const outcomes = await both(runner, 'tfjs-objective.mjs');
    assert.deepEqual(outcomes.map((o) => [o.state, o.value]), [['complete', 0.25], ['complete', 9]], outcomes[0]?.error?.message);
    assert.deepEqual(outcomes.map((o) => o.diagnostics?.tfBackend), ['wasm', 'wasm']);
    assert.deepEqual(outcomes.map((o) => o.diagnostics?.tensorsAfter), outcomes.map((o) => o.diagnostics?.tensorsBefore), 'its tensors are disposed');
  });
});

test("with tfjs: 'when-needed', an objective() that imports tfjs late says in its trial's logs that it missed the backend", async () => {
  const runner = await createTrialRunner({ workers: 2, backend: 'wasm', tfjs: 'when-needed' });
  try {
    const outcomes = await both(runner, 'late-tfjs-objective.mjs');
    assert.deepEqual(outcomes.map((o) => o.state), ['complete', 'complete']);
    const warned = outcomes.filter((o) => o.diagnostics?.logs.some((line) => line.includes('imported @tensorflow/tfjs inside objective()')));
    assert.equal(warned.length, 1, `the unprobed worker's trial warns, the probed one's doesn't: ${JSON.stringify(outcomes.map((o) => o.diagnostics?.logs))}`);
    assert.match(warned[0]!.diagnostics!.logs.join('\n'), /late-tfjs-objective\.mjs .*not wasm/);
  } finally {
    await runner.close();
  }
});
