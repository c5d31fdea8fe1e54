/** Errors of the pool itself, as data: a worker's error outside any trial is surfaced, a worker out of memory has a code. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutionError, TuneError } from '../../src/core/errors.js';
import { createTrialRunner } from '../../src/execution/index.js';
import { FAULTY_WORKER, keepGoing, trialTask } from './helpers.js';

test("a worker's error outside any trial reaches onWorkerError (the pool's 'error' event is not swallowed)", async () => {
  let surfaced!: (e: Error) => void;
  const seen = new Promise<Error>((resolve) => (surfaced = resolve));
  const runner = await createTrialRunner({ workers: 1, backend: 'wasm', workerEntry: FAULTY_WORKER, onWorkerError: (e) => surfaced(e) });
  try {
    const outcome = await runner.run(trialTask({ params: { learningRate: 0.003, batchSize: 32, fault: 'throw-between-tasks' }, budget: 1 }), keepGoing);
    assert.equal(outcome.state, 'complete', 'the trial itself is fine');
    // piscina unrefs idle workers: keep this thread alive until the worker's timer has fired.
    const alive = setInterval(() => {}, 50);
    const err = await seen.finally(() => clearInterval(alive));
    assert.match(err.message, /thrown between tasks/);
    // The pool replaced the worker: the next trial runs.
    assert.equal((await runner.run(trialTask({ budget: 1 }), keepGoing)).state, 'complete');
  } finally {
    await runner.close();
  }
});

test('a worker that runs out of memory while starting fails with the code worker-out-of-memory', async () => {
  await assert.rejects(createTrialRunner({ workers: 1, backend: 'wasm', resourceLimits: { maxOldGenerationSizeMb: 8 } }), (e: unknown) => {
    assert.ok(e instanceof ExecutionError && e instanceof TuneError);
    assert.equal(e.code, 'worker-out-of-memory');
    assert.match(e.message, /a worker failed to start/);
    return true;
  });
});
