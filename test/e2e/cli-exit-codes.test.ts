/** Files given as --storage that aren't tune databases are bad input (exit 2), and so is an unknown command. */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

const dir = tempDir();
const SPACE = resolve(import.meta.dirname, '../fixtures/cli/steps.json');

/** A real tune database with a study in it, cut to half its length: its header promises pages the file lacks. */
async function truncatedDatabase(): Promise<string> {
  const file = join(dir, 'truncated.db');
  const s = openStorage(file);
  await s.openStudy({ name: 'cut', space: {}, direction: 'minimize', metric: 'loss', strategy: 'random', seed: 0 });
  await s.close();
  truncateSync(file, Math.floor(statSync(file).size / 2));
  return file;
}

test('a text file, a folder and a truncated database as --storage exit 2 with a message naming the file', async () => {
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'not a database\n'.repeat(20));
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  const truncated = await truncatedDatabase();
  const expected: [string, RegExp][] = [
    [text, /not a readable tune database/],
    [folder, /a folder, not a database file/],
    [truncated, /truncated to \d+ bytes/],
  ];
  for (const [file, why] of expected) {
    for (const args of [['top', '--study', 'x'], ['studies'], ['--space', SPACE]]) {
      const r = runCli([...args, '--storage', file]);
      assert.equal(r.code, 2, `${args.join(' ')} --storage ${file}: ${r.stderr}`);
      assert.ok(r.stderr.includes(file), r.stderr);
      assert.match(r.stderr, why);
    }
  }
  assert.equal(readFileSync(text, 'utf8'), 'not a database\n'.repeat(20), 'the text file was left as it was');
});

test('an unknown command is named as one, not taken for a run without --space', () => {
  const r = runCli(['frobnicate']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.doesNotMatch(r.stderr, /Missing required argument/);
  const withSpace = runCli(['frobnicate', '--space', SPACE, '--storage', join(dir, 'never.db')]);
  assert.equal(withSpace.code, 2);
  assert.match(withSpace.stderr, /unknown command "frobnicate"/);
  const afterRun = runCli(['run', 'frobnicate', '--space', SPACE, '--storage', join(dir, 'never.db')]);
  assert.equal(afterRun.code, 2);
  assert.match(afterRun.stderr, /unknown command "frobnicate"/);
  // Still: no command and no --space is the missing --space.
  assert.match(runCli([]).stderr, /Missing required argument: space/);
});
