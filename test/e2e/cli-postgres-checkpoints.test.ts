/**
 * Issue 13 §5, end to end: machine A pauses trials with their checkpoints in PostgreSQL and exits; machine B, in
 * another folder with its own copy of the data and no path in common, resumes them from the database with `tune
 * worker`; every trial's per-epoch scores are bit-identical to training its config straight through. Runs the
 * built CLI (dist/, as `npm run build` or CI's install makes it), as two separate processes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import type { Metrics } from '../../src/core/types.js';
import { trainingData } from '../../src/execution/training/task-data.js';
import { train } from '../../src/execution/training/trainer.js';
import { loadSpace } from '../../src/space/index.js';
import { openStorage } from '../../src/storage/index.js';
import { count, tempDir, waitFor, writeBlobsCsv, writeJson } from '../helpers/cli.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from '../storage/postgres-helpers.js';

const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js');

/** The built CLI in `cwd`, watched: its output so far and its exit code. */
function tune(args: readonly string[], cwd: string): { child: ReturnType<typeof spawn>; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((done) => child.on('exit', (code, signal) => done(code ?? (signal ? -1 : null))));
  return { child, output: () => out, exit };
}

if (PG_URL === undefined) {
  test('a trial paused on machine A resumes on machine B from PostgreSQL', (t) => t.skip(PG_SKIP_REASON));
} else if (!existsSync(CLI)) {
  test('a trial paused on machine A resumes on machine B from PostgreSQL', (t) => t.skip(`${CLI} is missing: run npm run build first (CI's npm ci does)`));
} else {
  const url = PG_URL;
  test('a trial paused on machine A resumes on machine B from PostgreSQL, bit-identical to never pausing', async () => {
    const db = await testDatabase(url, 'tune_ckpt_e2e');
    const machineA = tempDir('tune-ckpt-a-');
    writeBlobsCsv(join(machineA, 'blobs.csv'), 40, 3);
    const spaceFile = join(machineA, 'space.json');
    writeJson(spaceFile, {
      name: 'moved',
      objective: { metric: 'val_accuracy' },
      task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [8] }, epochs: 4 },
      params: { learningRate: { type: 'float', min: 0.003, max: 0.03, log: true }, batchSize: 16 },
      // Two configs at 2 epochs, the better one promoted to 4: each trial pauses at least once.
      strategy: { type: 'successive-halving', eta: 2, minEpochs: 2, maxEpochs: 4, trials: 2 },
      seed: 11,
    });
    const common = ['--storage', db.url, '--backend', 'wasm', '--progress', 'lines', '--keep-models', '0'];

    // Machine A: both configs train at once; stopped after each reported an epoch, it pauses them with checkpoints.
    const a = tune(['--space', spaceFile, '--workers', '2', ...common], machineA);
    await waitFor(a.output, (out) => count(out, / epoch \d+\/\d+ /) >= 2);
    a.child.kill('SIGINT');
    assert.equal(await a.exit, 130, a.output());
    const storage = openStorage(db.url);
    try {
      const study = (await storage.getStudy('moved'))!;
      const paused = (await storage.trials(study.id)).filter((t) => t.state === 'paused');
      assert.equal(paused.length, 2, a.output());
      for (const t of paused) assert.match(t.checkpoint ?? '', new RegExp(`^db:moved/trial-${t.number}/ckpt-${t.epochs}$`));
      const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM checkpoints WHERE complete');
      assert.deepEqual(rows, [{ n: 2 }], 'both checkpoints are in the database');
      assert.equal(existsSync(join(machineA, 'results', 'checkpoints')), false, 'and none on machine A\'s disk');
      // `tune delete` names them before it asks; with no answer on stdin it deletes nothing.
      const asked = tune(['delete', '--study', 'moved', '--storage', db.url], machineA);
      assert.equal(await asked.exit, 1, asked.output());
      assert.match(asked.output(), /Delete study "moved" .*2 trial\(s\).*, and its 2 checkpoint\(s\) in the database\? \[y\/N\]/);
      assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM checkpoints WHERE complete'), [{ n: 2 }], 'declined: nothing deleted');

      // Machine B: its own folder and copy of the data; machine A's folder is gone.
      const machineB = tempDir('tune-ckpt-b-');
      cpSync(join(machineA, 'blobs.csv'), join(machineB, 'blobs.csv'));
      cpSync(spaceFile, join(machineB, 'space.json'));
      renameSync(machineA, `${machineA}-gone`);
      mkdirSync(join(machineB, 'work'));
      const b = tune(['worker', '--study', 'moved', '--workers', '1', '--root', machineB, ...common], join(machineB, 'work'));
      assert.equal(await b.exit, 0, b.output());
      assert.equal(existsSync(join(machineB, 'work', 'results', 'checkpoints')), false, 'machine B read them from the database');

      const trials = await storage.trials(study.id);
      // Which config wins is the data's business: one reaches 4 epochs, the other is pruned at 2.
      assert.deepEqual(trials.map((t) => `${t.state}:${t.epochs}`).sort(), ['complete:4', 'pruned:2'], b.output());
      // B trained only the epochs A hadn't: it resumed A's checkpoints rather than starting over.
      const doneOnA = paused.reduce((n, t) => n + t.epochs, 0);
      assert.equal(count(b.output(), / epoch \d+\/\d+ /), 6 - doneOnA, b.output());
      assert.deepEqual(await db.query('SELECT count(*)::int AS n FROM checkpoints'), [{ n: 0 }], 'finished trials leave no checkpoints');

      // The reference: each config trained straight through, with its trial seed, in this process.
      await tf.setBackend('wasm');
      const space = loadSpace(join(machineB, 'space.json'));
      for (const t of trials) {
        const task = { trialId: t.id, params: t.params, task: space.task, budget: t.epochs, seed: t.seed, splitSeed: space.seed, metric: 'val_accuracy' };
        const straight: [number, Metrics][] = [];
        const r = await train(task, await trainingData(task), async (epoch, metrics) => {
          straight.push([epoch, metrics]);
          return 'continue';
        });
        assert.equal(r.outcome.state, 'complete', r.outcome.error?.message);
        const stored = (await storage.reports(t.id)).map((x) => [x.epoch, x.metrics] as [number, Metrics]);
        assert.deepEqual(stored, straight, `trial ${t.number}: bit-identical to never pausing`);
      }
    } finally {
      await storage.close();
    }
  });
}
