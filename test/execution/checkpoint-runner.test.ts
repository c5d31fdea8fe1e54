/** Pause and resume through the worker pool: the port, other worker threads, failures and tensor counts. */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Decision, Metrics } from '../../src/core/types.js';
import { removeCheckpoint } from '../../src/execution/checkpoint/checkpoint-paths.js';
import { createTrialRunner, type ExecutionOutcome, type TrialRunner, type TrialTask } from '../../src/execution/index.js';
import { BLOBS_MLP, keepGoing, trialTask } from './helpers.js';

/** A path inside a RegExp, matched literally. */
const lit = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('checkpoints through a wasm trial runner with two workers', () => {
  let runner: TrialRunner;
  let root: string;
  before(async () => {
    runner = await createTrialRunner({ workers: 2, backend: 'wasm' });
    root = await mkdtemp(join(tmpdir(), 'tune-ckpt-runner-'));
  });
  after(async () => {
    await runner.close();
    await removeCheckpoint(root);
  });

  const params = { learningRate: 0.01, batchSize: 16, decay: 0.2, dropout: 0.2 };
  const blobs = (extra: Partial<TrialTask> = {}): TrialTask => ({ ...trialTask({ task: BLOBS_MLP, params, budget: 4, seed: 9 }), ...extra });

  async function run(task: TrialTask, pauseAt?: number): Promise<{ outcome: ExecutionOutcome; seen: [number, Metrics][] }> {
    const seen: [number, Metrics][] = [];
    const outcome = await runner.run(task, async (epoch, metrics): Promise<Decision> => {
      seen.push([epoch, metrics]);
      return epoch === pauseAt ? 'pause' : 'continue';
    });
    assert.ok(outcome.diagnostics !== undefined);
    assert.equal(outcome.diagnostics.tensorsAfter, outcome.diagnostics.tensorsBefore, `tensors back at baseline (${outcome.state})`);
    return { outcome, seen };
  }

  const worksAfterwards = async (): Promise<void> => {
    const next = await runner.run(trialTask({ task: BLOBS_MLP, budget: 1 }), keepGoing);
    assert.equal(next.state, 'complete', next.error?.message);
  };

  test('paused on one worker, resumed (maybe on the other): epochs 3–4 arrive as 3 and 4 and equal a straight run', async () => {
    const dir = join(root, 'trial-0');
    const [straight, paused] = await Promise.all([run(blobs()), run(blobs({ checkpointDir: dir }), 2)]);
    assert.deepEqual(paused.outcome.state, 'paused');
    assert.equal(paused.outcome.epochs, 2);
    assert.equal(paused.outcome.value, paused.seen[1]![1]['val_accuracy']);
    assert.equal(paused.outcome.checkpoint, join(dir, 'ckpt-2'));
    assert.deepEqual(await readdir(dir), ['ckpt-2'], 'no temp folder left');

    const resumed = await run(blobs({ checkpointDir: dir, resumeFrom: paused.outcome.checkpoint! }));
    assert.equal(resumed.outcome.state, 'complete', resumed.outcome.error?.message);
    assert.equal(resumed.outcome.epochs, 4);
    assert.deepEqual(resumed.seen, straight.seen.slice(2));
    assert.equal(resumed.outcome.value, straight.outcome.value);
  });

  async function failsWith(task: TrialTask, pattern: RegExp): Promise<ExecutionOutcome> {
    const { outcome, seen } = await run(task);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.error?.kind, 'exception');
    assert.match(outcome.error?.message ?? '', pattern);
    assert.deepEqual(seen, [], 'nothing was trained or reported');
    await worksAfterwards();
    return outcome;
  }

  test('a missing checkpoint fails the trial as an exception naming the path; the runner keeps working', async () => {
    const path = join(root, 'gone', 'ckpt-2');
    await failsWith(blobs({ resumeFrom: path }), new RegExp(`checkpoint ${lit(path)}: manifest\\.json not found`));
  });

  test('a corrupt checkpoint fails naming the path', async () => {
    const paused = await run(blobs({ checkpointDir: join(root, 'corrupt') }), 1);
    const path = paused.outcome.checkpoint!;
    await writeFile(join(path, 'weights.bin'), 'garbage');
    await failsWith(blobs({ resumeFrom: path }), new RegExp(`checkpoint ${lit(path)}: weights\\.bin is 7 bytes`));
  });

  test("a checkpoint that doesn't fit the model, the optimizer or the seed fails naming the path and the misfit", async () => {
    const paused = await run(blobs({ checkpointDir: join(root, 'misfit') }), 2);
    const path = paused.outcome.checkpoint!;
    const wider = { ...BLOBS_MLP, model: { type: 'mlp' as const, hidden: [16] } };
    await failsWith(blobs({ task: wider, resumeFrom: path }), new RegExp(`checkpoint ${lit(path)} does not fit this trial: model weight 0 .*shape \\[5, 8\\] where the model has \\[5, 16\\]`));
    await failsWith(blobs({ params: { ...params, optimizer: 'rmsprop' }, resumeFrom: path }), /holds Adam state, this trial uses RMSProp/);
    await failsWith(blobs({ seed: 10, resumeFrom: path }), /written by a trial with seed 9, this trial's seed is 10/);
  });

  test('a budget that is not above the checkpoint epochs fails clearly', async () => {
    const paused = await run(blobs({ checkpointDir: join(root, 'budget') }), 2);
    const outcome = await failsWith(blobs({ budget: 2, resumeFrom: paused.outcome.checkpoint! }), /already holds 2 epochs; a budget of 2 leaves nothing to train/);
    assert.ok(outcome.error!.message.includes(paused.outcome.checkpoint!));
  });

  test('a checkpoint that cannot be written fails the trial (it was told to pause, so it would lose its work)', async () => {
    const blocker = join(root, 'a-file');
    await writeFile(blocker, 'not a folder');
    const { outcome, seen } = await run(blobs({ checkpointDir: join(blocker, 'trial-0') }), 1);
    assert.equal(seen.length, 1);
    assert.equal(outcome.state, 'failed');
    assert.equal(outcome.epochs, 1);
    assert.match(outcome.error?.message ?? '', new RegExp(`checkpoint ${lit(join(blocker, 'trial-0'))}: could not write: .*(ENOTDIR|EEXIST)`));
  });
});
