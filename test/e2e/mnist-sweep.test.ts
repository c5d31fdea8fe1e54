import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';

test('a real mnist sweep through the CLI learns the digits and is stored', async () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  writeJson(join(dir, 'mnist.json'), {
    name: 'mnist-small',
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    task: { data: { builtin: 'mnist', limit: 2000 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [64] }, optimizer: 'adam', epochs: 2 },
    params: {
      learningRate: { type: 'float', min: 0.001, max: 0.01, log: true },
      batchSize: 64,
      decay: { type: 'float', min: 0, max: 0.1 },
    },
    strategy: { type: 'random', trials: 2 },
    seed: 11,
  });
  const r = runCli(['--space', join(dir, 'mnist.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const storage = openStorage(db);
  const study = (await storage.getStudy('mnist-small'))!;
  const trials = await storage.trials(study.id);
  assert.equal(trials.length, 2);
  for (const t of trials) {
    assert.equal(t.state, 'complete', t.error?.message);
    assert.ok(t.value! > 0.75, `val_accuracy ${t.value} after 2 epochs on 1,600 digits`);
    assert.equal((await storage.reports(t.id)).length, 2);
  }
  const studies = runCli(['studies', '--storage', db]);
  assert.equal(studies.code, 0, studies.stderr);
  assert.match(studies.stdout, /mnist-small +random +val_accuracy +maximize +wasm/);
  const unknown = runCli(['top', '--study', 'nope', '--storage', db]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /known studies: mnist-small/);
  await storage.close();
});
