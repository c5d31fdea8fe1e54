import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resumableCheckpoint } from '../../src/execution/checkpoint/checkpoint-paths.js';

test('resumableCheckpoint: the recorded checkpoint, or after a crash the newest one beside it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tune-resumable-'));
  mkdirSync(join(dir, 'ckpt-3'));
  assert.equal(await resumableCheckpoint(join(dir, 'ckpt-3'), dir), join(dir, 'ckpt-3'));
  // The worker wrote ckpt-9 and removed ckpt-3, then the tuner died before storing the new path.
  mkdirSync(join(dir, 'ckpt-9'));
  mkdirSync(join(dir, '.tmp-ckpt-abc'));
  const gone = join(dir, 'ckpt-1');
  assert.equal(await resumableCheckpoint(gone, dir), join(dir, 'ckpt-9'));
  const states = mkdtempSync(join(tmpdir(), 'tune-resumable-'));
  writeFileSync(join(states, 'state-2.json'), '{}');
  writeFileSync(join(states, 'state-10.json'), '{}');
  assert.equal(await resumableCheckpoint(join(states, 'state-1.json'), states), join(states, 'state-10.json'));
  assert.equal(await resumableCheckpoint(join(dir, 'x'), join(dir, 'no-such-folder')), undefined);
});
