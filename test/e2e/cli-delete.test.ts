/** `tune delete --study S`: asks first unless --yes, and removes the study, its trials and its checkpoint folder. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cliArgs, runCli, tempDir } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const SPACE = resolve(import.meta.dirname, '../fixtures/cli/steps.json');

/** The CLI with `input` on its stdin, as a user answering the prompt. */
function answering(input: string, args: readonly string[]) {
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], { cwd: root, encoding: 'utf8', input, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const studies = (db: string) => (JSON.parse(runCli(['studies', '--storage', db, '--json']).stdout) as { study: { name: string } }[]).map((s) => s.study.name);

test('tune delete asks first: no or no answer keeps the study; yes deletes it with its checkpoints', () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  assert.equal(runCli(['--space', SPACE, '--storage', db, '--workers', '1']).code, 0);
  // A kept checkpoint folder, as --keep-checkpoints or a paused trial leaves.
  const ckpt = join(dir, 'checkpoints', 'steps', 'trial-0');
  mkdirSync(ckpt, { recursive: true });
  writeFileSync(join(ckpt, 'state-3.json'), '{}');

  for (const input of ['n\n', '', 'maybe\n']) {
    const r = answering(input, ['delete', '--study', 'steps', '--storage', db]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /Delete study "steps" .*4 trial\(s\).*checkpoints.*\[y\/N\]/);
    assert.match(r.stderr, /not deleted/);
  }
  assert.deepEqual(studies(db), ['steps']);
  assert.ok(existsSync(ckpt));

  const yes = answering('y\n', ['delete', '--study', 'steps', '--storage', db]);
  assert.equal(yes.code, 0, yes.stderr);
  assert.match(yes.stderr, /deleted study "steps" \(4 trial\(s\)\)/);
  assert.deepEqual(studies(db), []);
  assert.ok(!existsSync(join(dir, 'checkpoints', 'steps')), 'the study\'s checkpoint folder is gone');
  assert.equal(runCli(['trials', '--study', 'steps', '--storage', db]).code, 2, 'the study is unknown now');
});

test('tune delete --yes deletes without asking, only the named study; an unknown study exits 2', () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  assert.equal(runCli(['--space', SPACE, '--storage', db, '--workers', '1']).code, 0);
  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ ...JSON.parse(spawnSync('cat', [SPACE], { encoding: 'utf8' }).stdout), name: 'other', task: { module: resolve(import.meta.dirname, '../fixtures/cli/steps.mjs'), epochs: 2 } }));
  assert.equal(runCli(['--space', other, '--storage', db, '--workers', '1']).code, 0);
  const r = answering('', ['delete', '--study', 'steps', '--storage', db, '--yes']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /\[y\/N\]/);
  assert.deepEqual(studies(db), ['other']);
  assert.equal(JSON.parse(runCli(['trials', '--study', 'other', '--storage', db, '--json']).stdout).length, 4);
  const unknown = runCli(['delete', '--study', 'steps', '--storage', db, '--yes']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /no study named "steps"; known studies: other/);
});
