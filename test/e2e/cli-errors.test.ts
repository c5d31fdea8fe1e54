import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';

const dir = tempDir();

test('a malformed space file exits 2 naming the file, the field and what was expected', () => {
  const file = join(dir, 'bad.json');
  writeJson(file, {
    name: 'bad',
    objective: { metric: 'val_accuracy' },
    task: { data: { builtin: 'mnist' }, model: { type: 'mlp', hidden: [8] } },
    params: { learningRate: { type: 'float', min: 0, max: 0.1, log: true } },
    strategy: { type: 'random', trials: 2 },
  });
  const r = runCli(['--space', file, '--storage', join(dir, 'x.db')]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(file), r.stderr);
  assert.match(r.stderr, /params\.learningRate\.min/);
});

test('invalid JSON and a missing file exit 2', () => {
  const file = join(dir, 'broken.json');
  writeFileSync(file, '{ "name": ');
  assert.equal(runCli(['--space', file]).code, 2);
  const missing = runCli(['--space', join(dir, 'nope.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.json/);
});

test('usage errors exit 2: no --space, a bad flag value, an unknown study, a missing database', () => {
  assert.equal(runCli([]).code, 2);
  assert.equal(runCli(['--space', 'search-spaces/adam.json', '--workers', '0']).code, 2);
  assert.equal(runCli(['--space', 'search-spaces/adam.json', '--backend', 'quantum']).code, 2);
  const noDb = runCli(['top', '--study', 'x', '--storage', join(dir, 'none.db')]);
  assert.equal(noDb.code, 2);
  assert.match(noDb.stderr, /no database/);
});

test('--help documents the commands and options', () => {
  const r = runCli(['--help']);
  assert.equal(r.code, 0);
  for (const word of ['--space', '--storage', '--workers', '--backend', '--seed', '--trials', 'top', 'export', 'studies']) {
    assert.ok(r.stdout.includes(word), `--help lacks ${word}`);
  }
});
