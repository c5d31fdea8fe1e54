import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const dir = tempDir();
writeBlobsCsv(join(dir, 'blobs.csv'), 40);

function spaceWith(params: Record<string, unknown>, strategy: Record<string, unknown> = { type: 'grid' }) {
  return {
    name: 'cond',
    objective: { metric: 'val_accuracy' },
    task: { data: { csv: 'blobs.csv' }, validationSplit: 0.25, model: { type: 'mlp', hidden: [8] }, epochs: 1 },
    params,
    strategy,
    seed: 2,
  };
}

const OPTIMIZER = { type: 'categorical', values: ['adam', 'sgd'] };

test('every bad when exits 2 before any trial, naming the file, the field and both ends', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['unknown-param', { optimizer: OPTIMIZER, momentum: { type: 'categorical', values: [0, 0.9], when: { optimiser: 'sgd' } } }, /params\.momentum\.when\.optimiser: momentum is conditioned on unknown param "optimiser" \(did you mean "optimizer"\?\)/],
    ['unknown-value', { optimizer: OPTIMIZER, momentum: { type: 'categorical', values: [0, 0.9], when: { optimizer: 'nadam' } } }, /params\.momentum\.when\.optimizer: momentum is conditioned on optimizer = "nadam", which optimizer never takes: expected "adam" \| "sgd"/],
    [
      'cycle',
      { optimizer: { ...OPTIMIZER, when: { momentum: 0.9 } }, momentum: { type: 'categorical', values: [0, 0.9], when: { optimizer: 'sgd' } } },
      /params\.optimizer\.when\.momentum: a cycle of conditions: optimizer → momentum → optimizer/,
    ],
  ];
  for (const [name, params, message] of cases) {
    const file = join(dir, `${name}.json`);
    const db = join(dir, `${name}.db`);
    writeJson(file, spaceWith(params));
    const r = runCli(['--space', file, '--storage', db, '--workers', '1']);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.ok(r.stderr.includes(file), r.stderr);
    assert.match(r.stderr, message);
    assert.equal(existsSync(db), false, `${name}: no database is created, so no trial ran`);
  }
});

test('tune check counts the valid grid points of a conditional space', () => {
  const file = join(dir, 'check.json');
  writeJson(file, spaceWith({ optimizer: OPTIMIZER, momentum: { type: 'categorical', values: [0, 0.5, 0.9], when: { optimizer: 'sgd' } }, batchSize: { type: 'categorical', values: [16, 32] } }));
  const r = runCli(['check', '--space', file, '--no-probe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /grid +8 point\(s\)/);
  assert.match(r.stdout, /momentum +one of 0, 0\.5, 0\.9, when optimizer=sgd/);
});

test('a conditional grid sweep stores inactive params absent, shows them blank and exports without them', async () => {
  const file = join(dir, 'sweep.json');
  const db = join(dir, 'sweep.db');
  writeJson(file, spaceWith({ optimizer: OPTIMIZER, momentum: { type: 'categorical', values: [0.5, 0.9], when: { optimizer: 'sgd' } }, learningRate: 0.05 }));
  const r = runCli(['--space', file, '--storage', db, '--workers', '1', '--progress', 'none']);
  assert.equal(r.code, 0, r.stderr);

  const storage = openStorage(db);
  const study = await storage.getStudy('cond');
  const trials = await storage.trials(study!.id);
  await storage.close();
  // adam, sgd with 0.5, sgd with 0.9: three trials, no duplicate adam ones.
  assert.equal(trials.length, 3);
  assert.deepEqual(trials.map((t) => `${t.params.optimizer}/${t.params.momentum ?? '-'}`).sort(), ['adam/-', 'sgd/0.5', 'sgd/0.9']);
  for (const t of trials) assert.equal(t.state, 'complete', t.error?.message);

  const sql = new Database(db, { readonly: true });
  const rows = sql.prepare("SELECT t.number, p.name FROM trial_params p JOIN trials t ON t.id = p.trial_id WHERE p.name = 'momentum'").all() as { number: number }[];
  sql.close();
  const adam = trials.find((t) => t.params.optimizer === 'adam')!;
  assert.equal(rows.length, 2);
  assert.ok(!rows.some((x) => x.number === adam.number), 'no trial_params row for an inactive param');

  const table = runCli(['trials', '--study', 'cond', '--storage', db]);
  assert.equal(table.code, 0, table.stderr);
  const lines = table.stdout.split('\n');
  const column = lines.find((l) => l.includes('momentum'))!.indexOf('momentum');
  const cell = (l: string) => l.slice(column, column + 'momentum'.length).trim();
  assert.equal(cell(lines.find((l) => / adam/.test(l))!), '', `the inactive momentum is blank:\n${table.stdout}`);
  assert.ok(lines.filter((l) => / sgd/.test(l)).every((l) => ['0.5', '0.9'].includes(cell(l))), table.stdout);

  const exported = runCli(['export', '--study', 'cond', '--storage', db, '--top', '3', '--format', 'json']);
  assert.equal(exported.code, 0, exported.stderr);
  const configs = JSON.parse(exported.stdout) as { params: Record<string, unknown> }[];
  const adamConfig = configs.find((c) => c.params.optimizer === 'adam');
  assert.ok(adamConfig, exported.stdout);
  assert.equal('momentum' in adamConfig.params, false);
});
