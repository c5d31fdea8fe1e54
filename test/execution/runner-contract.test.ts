/** The TrialRunner contract (runner-contract.ts) over the pool of worker threads, the GPU lanes and the test fake. */
import { createTrialRunner } from '../../src/execution/index.js';
import { LanesRunner } from '../../src/execution/pool/gpu-gate.js';
import { FakeRunner } from '../helpers/fake-runner.js';
import { moduleFixture, moduleTask } from '../modules/helpers.js';
import { runnerContract } from './runner-contract.js';
import { trialTask } from './helpers.js';

// Real worker threads on wasm; the trials are task modules that report a step at a time, so no model trains.
runnerContract('the pool (createTrialRunner, 2 wasm workers)', async () => ({
  runner: await createTrialRunner({ workers: 2, backend: 'wasm' }),
  steps: (budget) => moduleTask(moduleFixture('stepped-objective.mjs'), { params: { x: 0.25 }, budget }),
  throwing: () => moduleTask(moduleFixture('throws.mjs'), { params: { x: 0.9 } }),
}));

/** The fake's trials fail when their params say so, by throwing from inside the trial. */
const fake = () =>
  new FakeRunner((task) => {
    if (task.params.fail === true) throw new Error('the trial threw');
    return false;
  });
const fakeTasks = {
  steps: (budget: number) => trialTask({ params: { learningRate: 0.01 }, budget }),
  throwing: () => trialTask({ params: { learningRate: 0.01, fail: true } }),
};

runnerContract('the fake runner (test/helpers/fake-runner.ts)', async () => ({ runner: fake(), ...fakeTasks }));

// The GPU lanes over two fake inner runners of one slot each: the gate, not the GPU, is under test here.
runnerContract('the GPU lanes (LanesRunner over two fakes)', async () => {
  const gpu = fake();
  return { runner: new LanesRunner(gpu, fake(), { ...gpu.info, workers: 2, gpuConcurrency: 1 }), ...fakeTasks };
});
