/** `tune resume` reads a study's stored space through the space schema, never as a blind cast. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { StoredSpaceError } from '../../src/core/errors.js';
import { parseStoredSpace } from '../../src/engine/stored-space.js';
import { loadSpace } from '../../src/space/index.js';

const SPACES = join(import.meta.dirname, '../../search-spaces');

test('every shipped space, stored as the sweep stores it, reads back as the same space', () => {
  const files = readdirSync(SPACES).filter((f) => f.endsWith('.json') && f !== 'space.schema.json');
  assert.ok(files.length >= 5);
  for (const f of files) {
    const space = loadSpace(join(SPACES, f), { checkFiles: false });
    const stored: unknown = JSON.parse(JSON.stringify(space)); // what setStudyDefinition keeps
    assert.deepEqual(parseStoredSpace(stored, 'tune.db', space.name), space, f);
  }
});

test('a fixed param (a bare value in the file) survives the round trip', () => {
  const space = loadSpace(join(import.meta.dirname, '../fixtures/spaces/missing-csv.json'), { checkFiles: false });
  assert.deepEqual(space.params.learningRate, { type: 'fixed', value: 0.01 });
  assert.deepEqual(parseStoredSpace(JSON.parse(JSON.stringify(space)), 'tune.db', space.name), space);
});

test('a stored space this version cannot read says so, names the field, and exits 2', () => {
  const space = loadSpace(join(SPACES, 'adam.json'), { checkFiles: false });
  const future = { ...JSON.parse(JSON.stringify(space)), strategy: { type: 'cma-es', trials: 10 } };
  assert.throws(() => parseStoredSpace(future, 'results/tune.db', space.name), (e: unknown) => {
    assert.ok(e instanceof StoredSpaceError, String(e));
    assert.equal(e.code, 'stored-space');
    assert.equal(e.exitCode, 2);
    assert.match(e.message, new RegExp(`^results/tune\\.db: study "${space.name}" has a stored space that this version of tune can't read: it was most likely stored by another version\\.`));
    assert.match(e.message, /at strategy\.type: /);
    assert.match(e.message, /--space FILE/);
    return true;
  });
  assert.throws(() => parseStoredSpace('not a space', 'results/tune.db', 's'), StoredSpaceError);
});

test('an ask-and-tell study is told apart from another version', () => {
  const space = loadSpace(join(SPACES, 'adam.json'), { checkFiles: false });
  const askTell = { ...JSON.parse(JSON.stringify(space)), params: { x: { type: 'float', min: 0, max: 1, log: false } }, objective: { metric: 'score', direction: 'maximize' } };
  assert.throws(() => parseStoredSpace(askTell, 'tune.db', space.name), /was made with the ask-and-tell API/);
});
