import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const dir = tempDir();
writeBlobsCsv(join(dir, 'blobs.csv'), 200);

test('a trial over --trial-timeout is stored as failed (timeout) and the sweep completes (exit 1: every trial failed)', async () => {
  const db = join(dir, 'timeout.db');
  writeJson(join(dir, 'slow.json'), {
    name: 'slow',
    objective: { metric: 'val_accuracy' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [64, 64] }, epochs: 500 },
    params: { learningRate: 0.001, batchSize: 4 },
    strategy: { type: 'random', trials: 2 },
  });
  const started = Date.now();
  const r = runCli(['--space', join(dir, 'slow.json'), '--storage', db, '--workers', '2', '--trial-timeout', '3s']);
  // Both trials time out: issue 14 §7 makes a run in which every trial failed exit 1 (it exited 0 before).
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /every trial of this run failed \(2 of 2\)/);
  assert.ok(Date.now() - started < 60_000, 'the timeout cut the trials short');
  const storage = openStorage(db);
  const trials = await storage.trials((await storage.getStudy('slow'))!.id);
  assert.equal(trials.length, 2);
  for (const t of trials) {
    assert.equal(t.state, 'failed');
    assert.equal(t.error?.kind, 'timeout', t.error?.message);
    assert.ok(t.epochs > 0 && t.epochs < 500, `trained ${t.epochs} epochs before the timeout`);
  }
  await storage.close();
});

test('--retries runs a failed trial again with the same params; --max-failures stops the sweep with exit 1', async () => {
  const db = join(dir, 'retries.db');
  writeJson(join(dir, 'diverge.json'), {
    name: 'always-nan',
    objective: { metric: 'val_loss' },
    task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [8] }, optimizer: 'sgd', epochs: 2 },
    params: { learningRate: 1e9, batchSize: 16 },
    strategy: { type: 'random', trials: 6 },
  });
  const r = runCli(['--space', join(dir, 'diverge.json'), '--storage', db, '--workers', '1', '--retries', '2', '--max-failures', '2']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /stopped after 2 failed trials \(--max-failures\)/);
  const storage = openStorage(db);
  const trials = await storage.trials((await storage.getStudy('always-nan'))!.id);
  assert.equal(trials.filter((t) => t.state === 'failed').length, 2);
  for (const t of trials.filter((x) => x.state === 'failed')) {
    assert.equal(t.attempts, 2, 'two retries before it was stored as failed');
    assert.equal(t.error?.kind, 'nan');
  }
  assert.ok(trials.length < 6, 'no trials were started after the limit');
  await storage.close();
});

test('a corrupt or truncated database file gives a clear error and is left unchanged', () => {
  const space = join(dir, 'ok.json');
  writeJson(space, {
    name: 'ok', objective: { metric: 'val_accuracy' }, task: { data: { csv: 'blobs.csv' }, model: { type: 'mlp', hidden: [4] }, epochs: 1 },
    params: { learningRate: 0.01 }, strategy: { type: 'random', trials: 1 },
  });
  const good = join(dir, 'good.db');
  assert.equal(runCli(['--space', space, '--storage', good, '--workers', '1']).code, 0);
  const bytes = readFileSync(good);
  const cases: [string, Buffer][] = [
    ['text.db', Buffer.from('this is not a database\n')],
    ['truncated.db', bytes.subarray(0, Math.floor(bytes.length / 2))],
  ];
  for (const [name, content] of cases) {
    const file = join(dir, name);
    writeFileSync(file, content);
    const hash = createHash('sha256').update(readFileSync(file)).digest('hex');
    for (const args of [['--space', space, '--storage', file, '--workers', '1'], ['top', '--study', 'ok', '--storage', file]]) {
      const r = runCli(args);
      assert.notEqual(r.code, 0, name);
      assert.match(r.stderr, new RegExp(`${name}: not a readable tune database`), r.stderr);
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hash, `${name} unchanged`);
    }
  }
});

test('a trial that throws and one that runs out of memory are stored with their kinds, and the sweep completes', async () => {
  const db = join(dir, 'kinds.db');
  writeFileSync(
    join(dir, 'misbehave.mjs'),
    [
      '// mode "throw" throws, "hog" fills far more JS heap than --trial-memory allows, "ok" returns a value.',
      'export async function objective(params) {',
      "  if (params.mode === 'throw') throw new Error('model could not be built: bad layer');",
      '  const chunks = [];',
      "  if (params.mode === 'hog') for (let i = 0; i < 400; i++) chunks.push(new Array(1_000_000).fill(i + 0.5));",
      '  return 1;',
      '}',
    ].join('\n'),
  );
  writeJson(join(dir, 'kinds.json'), {
    name: 'kinds',
    objective: { metric: 'value', direction: 'maximize' },
    task: { module: './misbehave.mjs', epochs: 1 },
    params: { mode: { type: 'categorical', values: ['throw', 'hog', 'ok'] } },
    strategy: { type: 'grid' },
  });
  const r = runCli(['--space', join(dir, 'kinds.json'), '--storage', db, '--workers', '1', '--trial-memory', '128']);
  assert.equal(r.code, 0, r.stderr);
  const storage = openStorage(db);
  const trials = await storage.trials((await storage.getStudy('kinds'))!.id);
  const byMode = new Map(trials.map((t) => [t.params.mode, t]));
  assert.equal(trials.length, 3);
  assert.equal(byMode.get('throw')?.state, 'failed');
  assert.equal(byMode.get('throw')?.error?.kind, 'exception');
  assert.match(byMode.get('throw')?.error?.message ?? '', /model could not be built: bad layer/);
  assert.equal(byMode.get('hog')?.state, 'failed');
  assert.equal(byMode.get('hog')?.error?.kind, 'oom');
  assert.equal(byMode.get('ok')?.state, 'complete', 'the worker was replaced and the sweep went on');
  await storage.close();
});
