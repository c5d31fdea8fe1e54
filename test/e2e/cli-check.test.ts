/** `tune check --space F`: validates, prints params with defaults, grid, rungs, brackets, epoch budget and an estimate. */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCli, tempDir, writeJson } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const STEPS = resolve(import.meta.dirname, '../fixtures/cli/steps.json');

test('tune check --no-probe prints the params with defaults, the rung ladder, the brackets and the epoch budget', () => {
  const r = runCli(['check', '--space', join(root, 'search-spaces/hyperband.json'), '--no-probe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /a valid space for study hyperband-mnist/);
  assert.match(r.stdout, /learningRate\s+float 1\.00e-4 to 0\.1, log\s+0\.001/);
  assert.match(r.stdout, /batchSize\s+one of 32, 64, 128\s+32/);
  assert.match(r.stdout, /not searched, at their defaults: optimizer=adam momentum=0 dropout=0/);
  assert.match(r.stdout, /grid\s+not enumerable \(params\.l2: .*step/);
  assert.match(r.stdout, /rungs\s+1, 3, 9 epochs \(eta 3\)/);
  // Hyperband with R = 9, eta = 3 (Li et al. 2018): brackets (9, 1), (5, 3), (3, 9).
  assert.match(r.stdout, /bracket 0\s+9 config\(s\) starting at 1 epoch/);
  assert.match(r.stdout, /bracket 1\s+5 config\(s\) starting at 3 epoch/);
  assert.match(r.stdout, /bracket 2\s+3 config\(s\) starting at 9 epoch/);
  // 9x1 + 3x2 + 1x6 = 21, 5x3 + 1x6 = 21, 3x9 = 27.
  assert.match(r.stdout, /epochs\s+69 in all/);
  assert.doesNotMatch(r.stdout, /probe|estimate/);
});

test('tune check on a grid: its size, and --trials changes the epoch budget', () => {
  const r = runCli(['check', '--space', STEPS, '--no-probe']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /grid\s+4 point\(s\)/);
  assert.match(r.stdout, /x\s+one of 0\.2, 0\.4, 0\.95, 0\.6/);
  assert.match(r.stdout, /rungs\s+none: every trial trains 3 epoch/);
  assert.match(r.stdout, /epochs\s+12 in all/);
  assert.match(runCli(['check', '--space', STEPS, '--no-probe', '--trials', '2']).stdout, /epochs\s+6 in all/);
});

test('tune check probes one epoch and estimates the sweep\'s time from it, writing nothing beside the space', () => {
  const r = runCli(['check', '--space', STEPS, '--workers', '2']);
  assert.equal(r.code, 0, r.stderr);
  const probe = /probe\s+one epoch on (\w+): ([\d.]+)s/.exec(r.stdout);
  assert.ok(probe, r.stdout);
  const estimate = /estimate\s+about (?:(\d+)m)?(\d+)s with 2 worker\(s\): 12 epochs x ([\d.]+)s \/ 2 at once/.exec(r.stdout);
  assert.ok(estimate, r.stdout);
  assert.equal(estimate[3], probe[2]);
});

test('tune check exits 2 for an invalid space, and for a space whose probe trial fails', () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.json');
  writeJson(bad, { name: 'bad', objective: { metric: 'loss' }, params: { x: { type: 'float', min: 1, max: 0 } }, strategy: { type: 'random', trials: 2 }, task: { module: resolve(import.meta.dirname, '../fixtures/modules/throws.mjs') } });
  const invalid = runCli(['check', '--space', bad]);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /bad\.json.*\n.*params\.x/);
  const failing = join(dir, 'failing.json');
  writeJson(failing, { name: 'failing', objective: { metric: 'score', direction: 'minimize' }, params: { x: { type: 'categorical', values: [0.9] } }, strategy: { type: 'random', trials: 2 }, task: { module: resolve(import.meta.dirname, '../fixtures/modules/throws.mjs') } });
  const failed = runCli(['check', '--space', failing]);
  assert.equal(failed.code, 2, failed.stderr);
  assert.match(failed.stderr, /failing\.json: the one-epoch probe trial failed \(exception\): .*x=0\.9 is too big/);
});
