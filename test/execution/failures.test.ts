import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExecutionError } from '../../src/core/errors.js';
import { createTrialRunner } from '../../src/execution/index.js';
import type { TrialRunner } from '../../src/execution/types.js';
import { BLOBS_MLP, FAULTY_WORKER, keepGoing, trialTask } from './helpers.js';

describe('trial failures resolve as failed outcomes, and the runner keeps working', () => {
  let runner: TrialRunner;
  before(async () => {
    // One worker, a heap limit so a runaway trial kills only its thread, and the fixture entry that can misbehave.
    runner = await createTrialRunner({ workers: 1, backend: 'wasm', workerEntry: FAULTY_WORKER, resourceLimits: { maxOldGenerationSizeMb: 256 } });
  });
  after(async () => {
    await runner.close();
  });

  const worksAfterwards = async (): Promise<void> => {
    const next = await runner.run(trialTask({ task: BLOBS_MLP, budget: 1 }), keepGoing);
    assert.equal(next.state, 'complete', next.error?.message);
  };

  test('a model that cannot be built (a cnn on 5-feature csv data) fails with its message', async () => {
    const task = trialTask({ task: { ...BLOBS_MLP, model: { type: 'cnn', filters: [4], kernelSize: 3, hidden: [] } } });
    const outcome = await runner.run(task, keepGoing);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'exception');
    assert.match(outcome.error?.message ?? '', /cnn needs image data.*5 plain features/);
    assert.equal(outcome.diagnostics?.tensorsAfter, outcome.diagnostics?.tensorsBefore);
    await worksAfterwards();
  });

  test('bad params and a missing data file fail as exceptions', async () => {
    const bad = await runner.run(trialTask({ task: BLOBS_MLP, params: { batchSize: 0 } }), keepGoing);
    assert.equal(bad.error?.kind, 'exception');
    assert.match(bad.error?.message ?? '', /batchSize must be a positive integer/);
    const missing = await runner.run(trialTask({ task: { ...BLOBS_MLP, data: { csv: '/nonexistent/x.csv', label: 'y' } } }), keepGoing);
    assert.match(missing.error?.message ?? '', /\/nonexistent\/x\.csv.*cannot read/s);
  });

  test('a NaN loss (learningRate 1e6) fails at once with kind nan, naming the metric and the epoch', async () => {
    let reported = 0;
    const outcome = await runner.run(trialTask({ task: BLOBS_MLP, budget: 5, params: { learningRate: 1e6 } }), async () => {
      reported++;
      return 'continue';
    });
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'nan');
    assert.equal(outcome.error?.message, 'loss is NaN at epoch 1');
    assert.equal(reported, 0, 'the bad epoch is not reported');
    assert.equal(outcome.epochs, 0);
    assert.ok(outcome.metrics !== undefined && Number.isNaN(outcome.metrics['loss']), 'the bad metrics come with the outcome');
    await worksAfterwards();
  });

  test('a worker that dies mid-trial gives worker-died with the epochs reported so far; a new worker takes over', async () => {
    const outcome = await runner.run(trialTask({ task: BLOBS_MLP, budget: 3, params: { fault: 'exit-after-epoch' } }), keepGoing);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'worker-died');
    assert.match(outcome.error?.message ?? '', /exited with code: 3/);
    assert.equal(outcome.epochs, 1);
    await worksAfterwards();
  });

  test('a worker out of JS heap gives kind oom', async () => {
    const outcome = await runner.run(trialTask({ task: BLOBS_MLP, params: { fault: 'heap' } }), keepGoing);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'oom', outcome.error?.message);
    await worksAfterwards();
  });

  test('an aborted trial fails as interrupted, a timed-out one as timeout', async () => {
    const controller = new AbortController();
    const interrupted = await runner.run(trialTask({ task: BLOBS_MLP, budget: 3 }), async () => {
      controller.abort();
      return new Promise(() => {}); // never decides: the abort must end it
    }, controller.signal);
    assert.equal(interrupted.error?.kind, 'interrupted');
    assert.equal(interrupted.epochs, 1);
    const timedOut = await runner.run(trialTask({ task: BLOBS_MLP }), keepGoing, AbortSignal.abort(new DOMException('too slow', 'TimeoutError')));
    assert.equal(timedOut.error?.kind, 'timeout');
    await worksAfterwards();
  });

  test('an onEpoch that throws stops the trial, then run rejects with that error', async () => {
    await assert.rejects(
      runner.run(trialTask({ task: BLOBS_MLP, budget: 3 }), async () => {
        throw new Error('storage is down');
      }),
      /storage is down/,
    );
    await worksAfterwards();
  });
});

test('an explicitly requested native backend that is not installed is a clear ExecutionError', async () => {
  await assert.rejects(createTrialRunner({ workers: 1, backend: 'tensorflow' }), (e: unknown) => {
    assert.ok(e instanceof ExecutionError);
    assert.match(e.message, /@tensorflow\/tfjs-node\b.*not installed.*npm install @tensorflow\/tfjs-node@4\.22\.0/);
    return true;
  });
  await assert.rejects(createTrialRunner({ workers: 1, backend: 'tensorflow-gpu' }), /@tensorflow\/tfjs-node-gpu/);
});

test('closing the runner ends running trials as interrupted; run afterwards is an error', async () => {
  const runner = await createTrialRunner({ workers: 1, backend: 'wasm' });
  let closing: Promise<void> | undefined;
  const outcome = await runner.run(trialTask({ task: BLOBS_MLP, budget: 3 }), async () => {
    closing = runner.close();
    return new Promise(() => {}); // the decision never comes; close must not wait for it
  });
  await closing;
  assert.equal(outcome.state, 'failed');
  assert.equal(outcome.error?.kind, 'interrupted');
  assert.equal(outcome.epochs, 1);
  await assert.rejects(runner.run(trialTask({ task: BLOBS_MLP }), keepGoing), /closed/);
});
