/** Errors as types at the seams: every TuneError has a code, and the engine branches on codes, not on words. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConflictError, ERROR_CODES, errorMessage, ExecutionError, InputError, StorageError, StoredSpaceError, StudyMismatchError, TaskModuleError, TuneError, UsageError,
} from '../../src/core/errors.js';
import { runSweep } from '../../src/engine/index.js';
import { AskError } from '../../src/engine/ask-tell.js';
import { BackendNotInstalledError } from '../../src/execution/index.js';
import { TaskModuleError as FromTaskModule } from '../../src/execution/task-module/task-module.js';
import { space } from '../helpers/records.js';

test('every TuneError class has its own code, one of ERROR_CODES, and a thrower may give a more specific one', () => {
  const cases: [TuneError, string][] = [
    [new TuneError('x'), 'error'],
    [new InputError('f.json', [{ path: ['a'], message: 'bad' }]), 'input'],
    [new UsageError('x'), 'usage'],
    [new StorageError('x'), 'storage'],
    [new ConflictError('x'), 'conflict'],
    [new ExecutionError('x'), 'execution'],
    [new BackendNotInstalledError('tensorflow'), 'backend-not-installed'],
    [new StudyMismatchError('x'), 'study-mismatch'],
    [new StoredSpaceError('x'), 'stored-space'],
    [new TaskModuleError('m.mjs', 'bad'), 'task-module'],
    [new AskError('done', 'x'), 'ask'],
    [new ExecutionError('x', { code: 'worker-out-of-memory' }), 'worker-out-of-memory'],
  ];
  for (const [err, code] of cases) {
    assert.equal(err.code, code, err.name);
    assert.ok((ERROR_CODES as readonly string[]).includes(err.code), err.name);
  }
  assert.equal(new UsageError('x').exitCode, 2);
  assert.equal(new StoredSpaceError('x').exitCode, 2);
});

test('TaskModuleError is a TuneError (the same class wherever it is imported from), and names its module', () => {
  const e = new FromTaskModule('tasks/m.mjs', 'buildModel() must return a tf.LayersModel');
  assert.ok(e instanceof TuneError && e instanceof TaskModuleError);
  assert.equal(e.name, 'TaskModuleError');
  assert.equal(e.message, 'task module tasks/m.mjs: buildModel() must return a tf.LayersModel');
  assert.equal(e.exitCode, 1);
});

test('errorMessage: an Error gives its message, anything else its string', () => {
  assert.equal(errorMessage(new Error('boom')), 'boom');
  assert.equal(errorMessage('plain'), 'plain');
  assert.equal(errorMessage(42), '42');
});

test('a --trial-memory too small for a worker to load tfjs is a usage error, found from the code, before any study', async () => {
  const s = space({ name: 'tiny-heap', strategy: { type: 'random', trials: 1 } });
  await assert.rejects(runSweep(s, { storage: ':memory:', workers: 1, backend: 'wasm', trialMemoryMb: 8 }), (e: unknown) => {
    assert.ok(e instanceof UsageError, String(e));
    assert.match(e.message, /--trial-memory 8: too small for a worker to load tfjs/);
    return true;
  });
});
