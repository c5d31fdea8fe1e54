/**
 * Issue 14 §5–7 through the CLI: data checked before the sweep (exit 2, no trial stored), a run whose every trial
 * failed exits 1, your own validation data is the data validated on, and `tune enqueue`.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir, writeBlobsCsv, writeJson } from '../helpers/cli.js';

const dir = tempDir();

function csvSpace(name: string, data: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(dir, `${name}.json`);
  writeJson(file, {
    name,
    objective: { metric: 'val_accuracy' },
    task: { data, model: { type: 'mlp', hidden: [16] }, epochs: 4 },
    params: { learningRate: 0.03, batchSize: 16 },
    strategy: { type: 'random', trials: 2 },
    seed: 1,
    ...extra,
  });
  return file;
}

/** The trials stored for a study, or none when the database (or the study) was never created. */
async function storedTrials(db: string, name: string): Promise<number> {
  if (!existsSync(db)) return 0;
  const storage = openStorage(db);
  try {
    const study = await storage.getStudy(name);
    return study === null ? 0 : (await storage.trials(study.id)).length;
  } finally {
    await storage.close();
  }
}

const BAD_CSVS: [string, string, RegExp][] = [
  ['no-label', 'f1,f2,klass\n1,2,a\n3,4,b\n', /no-label\.csv: invalid input\n\s+at label: column "label" not found; the columns are f1, f2, klass/],
  ['non-numeric', 'f1,f2,label\n1,2,a\n3,n/a,b\n', /non-numeric\.csv: invalid input\n\s+at rows\[1\]\.f2: "n\/a" is not a number \(line 3, column 2\)/],
  ['ragged', 'f1,f2,label\n1,2,a\n3,b\n', /ragged\.csv: invalid input\n\s+at rows\[1\]: has 2 fields, the header has 3 \(line 3\)/],
  ['header-only', 'f1,f2,label\n', /header-only\.csv: invalid input\n\s+at \(root\): expected a header row and at least one data row/],
];

for (const [name, text, message] of BAD_CSVS) {
  test(`a CSV with ${name.replace('-', ' ')} data exits 2 before any trial, with the reason`, async () => {
    writeFileSync(join(dir, `${name}.csv`), text);
    const db = join(dir, `${name}.db`);
    const r = runCli(['--space', csvSpace(name, { csv: `${name}.csv` }), '--storage', db, '--workers', '1']);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stdout, /#0/, 'no trial started');
    assert.equal(await storedTrials(db, name), 0, 'no trial stored');
  });
}

test('tune check refuses the same bad data, with or without its probe', () => {
  const r = runCli(['check', '--space', join(dir, 'ragged.json'), '--no-probe']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /ragged\.csv: invalid input\n\s+at rows\[1\]: has 2 fields/);
});

test('a task module whose loadData() throws exits 2 before any trial, naming the module', async () => {
  writeFileSync(join(dir, 'no-data.mjs'), "export function loadData() { throw new Error('data/train.parquet: no such file'); }\n");
  const file = join(dir, 'no-data.json');
  writeJson(file, { name: 'no-data', objective: { metric: 'val_accuracy' }, task: { module: './no-data.mjs', epochs: 1 }, params: { learningRate: 0.01 }, strategy: { type: 'random', trials: 2 } });
  const db = join(dir, 'no-data.db');
  const r = runCli(['--space', file, '--storage', db, '--workers', '1']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /at task\.module: task module .*no-data\.mjs: loadData\(\) threw: data\/train\.parquet: no such file/);
  assert.equal(await storedTrials(db, 'no-data'), 0);
});

test('a bad enqueued config exits 2 naming the file and the field, before any trial', async () => {
  writeBlobsCsv(join(dir, 'blobs.csv'), 30);
  const db = join(dir, 'enqueue.db');
  const file = csvSpace('warm', { csv: 'blobs.csv' }, { params: { learningRate: { type: 'float', min: 0.001, max: 0.1 }, batchSize: 16 }, enqueue: [{ learningRate: 0.5 }] });
  const r = runCli(['--space', file, '--storage', db, '--workers', '1']);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /warm\.json: invalid input\n\s+at enqueue\[0\]\.learningRate: expected a number in \[0\.001, 0\.1\], got 0\.5/);
  assert.equal(await storedTrials(db, 'warm'), 0);
});

test('a run in which every trial failed exits 1 and says so; tune enqueue adds a config its next run trains first', async () => {
  writeBlobsCsv(join(dir, 'blobs.csv'), 30);
  const db = join(dir, 'diverge.db');
  const file = csvSpace('diverge', { csv: 'blobs.csv' }, {
    objective: { metric: 'val_loss' },
    params: { learningRate: { type: 'categorical', values: [1e9, 1e10, 0.05] }, batchSize: 16 },
    strategy: { type: 'grid', trials: 2 },
    enqueue: [{ learningRate: 1e9 }, { learningRate: 1e10 }],
  });
  const r = runCli(['--space', file, '--storage', db, '--workers', '1']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /every trial of this run failed \(2 of 2\); see why with: tune trials --study diverge --state failed --storage /);

  const bad = runCli(['enqueue', '--study', 'diverge', '--storage', db, '--params', '{"learningRate": 0.5}']);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--params: invalid input\n\s+at learningRate: expected one of 1000000000, 10000000000, 0\.05, got 0\.5/);
  const notJson = runCli(['enqueue', '--study', 'diverge', '--storage', db, '--params', '{learningRate: 0.05}']);
  assert.equal(notJson.code, 2, notJson.stderr);
  assert.match(notJson.stderr, /--params: expected a JSON object/);
  const good = runCli(['enqueue', '--study', 'diverge', '--storage', db, '--params', '{"learningRate": 0.05}']);
  assert.equal(good.code, 0, good.stderr);
  assert.match(good.stdout, /enqueued trial #2 in study "diverge"/);
  const resumed = runCli(['resume', '--study', 'diverge', '--storage', db, '--workers', '1']);
  assert.equal(resumed.code, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /ran 1 trial/);
  assert.equal(await storedTrials(db, 'diverge'), 3);
});

/** Blobs whose validation rows have their labels rotated: a model that learns the training rows scores ~0 on them. */
function rotated(file: string, seed: number): string[] {
  writeBlobsCsv(file, 30, seed);
  const next: Record<string, string> = { red: 'green', green: 'blue', blue: 'red' };
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  return [header!, ...rows.map((r) => r.replace(/[a-z]+$/, (l) => next[l]!))];
}

test('a validation file and a split column are what trials validate on', async () => {
  writeBlobsCsv(join(dir, 'train.csv'), 30, 1);
  writeFileSync(join(dir, 'val.csv'), `${rotated(join(dir, 'val.csv'), 2).join('\n')}\n`);
  const [header, ...trainRows] = readFileSync(join(dir, 'train.csv'), 'utf8').trim().split('\n');
  const valRows = rotated(join(dir, 'tmp.csv'), 2).slice(1);
  writeFileSync(join(dir, 'marked.csv'), [`${header},fold`, ...trainRows.map((r) => `${r},train`), ...valRows.map((r) => `${r},val`)].join('\n') + '\n');
  const db = join(dir, 'own.db');
  for (const [name, data] of [['own-file', { csv: 'train.csv', validation: { csv: 'val.csv' } }], ['own-column', { csv: 'marked.csv', split: 'fold' }]] as const) {
    const r = runCli(['--space', csvSpace(name, data, { strategy: { type: 'random', trials: 1 } }), '--storage', db, '--workers', '1']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const storage = openStorage(db);
    const [trial] = await storage.trials((await storage.getStudy(name))!.id);
    const last = (await storage.reports(trial!.id)).at(-1)!.metrics;
    await storage.close();
    // A random 20% of these rows would be validated at the training accuracy; the rotated rows score near 0.
    assert.ok(last.accuracy! > 0.9, `${name}: training accuracy ${last.accuracy}`);
    assert.ok(last.val_accuracy! < 0.2, `${name}: val_accuracy ${last.val_accuracy} on the rotated validation rows`);
  }
});
