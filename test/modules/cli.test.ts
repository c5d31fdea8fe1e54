/** The examples in search-spaces/examples/ run through the real CLI, as `npx tune --space …` would. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';
import { ROOT } from './helpers.js';

const MODULE_SPACE = {
  name: 'broken',
  objective: { metric: 'score', direction: 'minimize' },
  params: { x: { type: 'float', min: 0, max: 1 } },
  strategy: { type: 'random', trials: 2 },
};

const example = (name: string): string => join(ROOT, 'search-spaces/examples', name);

interface Row {
  readonly value: number;
  readonly params: Record<string, number>;
  readonly state: string;
}

function top(study: string, db: string, n: number): Row[] {
  const r = runCli(['top', '--study', study, '--storage', db, '-n', String(n), '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Row[];
}

test('Branin: a random sweep of 60 trials finds a value below 1.0 (the minimum is 0.397887)', () => {
  const db = join(tempDir(), 'tune.db');
  const r = runCli(['--space', example('branin.json'), '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const rows = top('branin', db, 60);
  assert.equal(rows.length, 60);
  assert.ok(rows.every((row) => row.state === 'complete'));
  assert.ok(rows[0]!.value < 1.0, `best ${rows[0]!.value} at ${JSON.stringify(rows[0]!.params)}`);
  assert.ok(rows[0]!.value >= 0.397887, 'nothing beats the known minimum');
});

test('shell: an objective that runs a child process and parses its output', () => {
  const db = join(tempDir(), 'tune.db');
  const r = runCli(['--space', example('shell.json'), '--storage', db, '--workers', '2', '--trials', '4']);
  assert.equal(r.code, 0, r.stderr);
  const rows = top('shell-rosenbrock', db, 4);
  assert.equal(rows.length, 4);
  for (const row of rows) {
    const { x, y } = row.params as { x: number; y: number };
    assert.equal(row.state, 'complete');
    assert.ok(Math.abs(row.value - ((1 - x) ** 2 + 100 * (y - x * x) ** 2)) < 1e-9 * Math.max(1, row.value), JSON.stringify(row));
  }
});

test('custom-model: buildModel() from a .ts module trains on mnist, compiled by tune', () => {
  const db = join(tempDir(), 'tune.db');
  const r = runCli(['--space', example('custom-model.json'), '--storage', db, '--workers', '2', '--trials', '2']);
  assert.equal(r.code, 0, r.stderr);
  const rows = top('custom-model-mnist', db, 2);
  assert.equal(rows.length, 2);
  for (const row of rows) assert.ok(row.state === 'complete' && row.value > 0.5, JSON.stringify(row));
});

test('a task.module that is not there is an input error: exit 2, at task.module', () => {
  const dir = tempDir();
  writeJson(join(dir, 'space.json'), { ...MODULE_SPACE, task: { module: './nowhere.ts' } });
  const r = runCli(['--space', join(dir, 'space.json'), '--storage', join(dir, 'tune.db')]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /at task\.module: file not found: .*nowhere\.ts \(module paths are relative to the space file\)/);
});

test('a module that fails to load stops the sweep before any trial: exit 2, naming the module', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'broken.mjs'), 'export function objective( {');
  writeJson(join(dir, 'space.json'), { ...MODULE_SPACE, task: { module: './broken.mjs' } });
  const r = runCli(['--space', join(dir, 'space.json'), '--storage', join(dir, 'tune.db')]);
  assert.equal(r.code, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /at task\.module: task module .*broken\.mjs: failed to load/);
  assert.doesNotMatch(r.stdout, /start/, 'no trial ran');
});
