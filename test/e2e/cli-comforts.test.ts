/** Help in groups, shell completion, and every flag from a TUNE_* environment variable. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cliArgs, runCli, tempDir } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const SPACE = resolve(import.meta.dirname, '../fixtures/cli/steps.json');

function withEnv(env: Record<string, string>, args: readonly string[]) {
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The flags listed under each `Group:` heading of --help. */
function groups(help: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of help.split('\n')) {
    const heading = /^([A-Z][a-z]+):$/.exec(line);
    if (heading) out.set(heading[1]!, (current = []));
    else if (line.trim() === '') current = undefined;
    else current?.push(...[...line.matchAll(/--([a-z-]+)/g)].filter((m) => line.trimStart().startsWith('-')).slice(0, 1).map((m) => m[1]!));
  }
  return out;
}

test('--help shows the sweep options in Budget, Failures, Hardware and Storage groups', () => {
  const r = runCli(['--help']);
  assert.equal(r.code, 0);
  const g = groups(r.stdout);
  assert.deepEqual(g.get('Budget'), ['trials', 'timeout', 'until']);
  assert.deepEqual(g.get('Failures'), ['retries', 'max-failures', 'trial-timeout', 'trial-memory', 'on-interrupted', 'lease']);
  assert.deepEqual(g.get('Hardware'), ['workers', 'backend', 'gpu-concurrency', 'overflow', 'recycle-after']);
  assert.deepEqual(g.get('Storage'), ['storage', 'new-study', 'checkpoint-dir', 'keep-checkpoints']);
  for (const command of ['trials', 'delete', 'check', 'completion']) assert.match(r.stdout, new RegExp(`tune ${command} `));
  assert.deepEqual(groups(runCli(['resume', '--help']).stdout).get('Budget'), ['trials', 'timeout', 'until']);
});

test('shell completion: a script, and completions of commands and flags', () => {
  const script = runCli(['completion']);
  assert.equal(script.code, 0);
  assert.match(script.stdout, /--get-yargs-completions/);
  assert.match(script.stdout, /complete .*tune/);
  const commands = runCli(['--get-yargs-completions', 'tune', 'tri']).stdout.split('\n');
  assert.ok(commands.includes('trials'), commands.join(' '));
  const flags = runCli(['--get-yargs-completions', 'tune', 'trials', '--st']).stdout.split('\n');
  assert.ok(flags.some((f) => f.startsWith('--state')) && flags.some((f) => f.startsWith('--study')), flags.join(' '));
});

test('every flag can come from TUNE_*: a sweep\'s flags, a reading command\'s, and the flag on the line wins', () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  const run = withEnv({ TUNE_STORAGE: db, TUNE_TRIALS: '2', TUNE_WORKERS: '1', TUNE_PROGRESS: 'json' }, ['--space', SPACE]);
  assert.equal(run.code, 0, run.stderr);
  const events = run.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; workers?: number; stored?: number });
  assert.equal(events[0]!.workers, 1);
  assert.equal(events.at(-1)!.stored, 2);
  const csv = withEnv({ TUNE_STORAGE: db, TUNE_FORMAT: 'csv' }, ['trials', '--study', 'steps']);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /^trial,state,value/);
  const json = withEnv({ TUNE_STORAGE: db, TUNE_FORMAT: 'csv' }, ['trials', '--study', 'steps', '--format', 'json']);
  assert.equal((JSON.parse(json.stdout) as unknown[]).length, 2);
  // A value from the environment is checked like a flag's.
  const bad = withEnv({ TUNE_WORKERS: '0' }, ['--space', SPACE, '--storage', join(dir, 'x.db')]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--workers: expected a whole number >= 1, got 0/);
  // A TUNE_* variable the command has no flag for (a sweep flag, another program's) is not an error.
  const foreign = withEnv({ TUNE_WORKERS: '3', TUNE_HOME: '/somewhere' }, ['studies', '--storage', db]);
  assert.equal(foreign.code, 0, foreign.stderr);
  assert.match(foreign.stdout, /steps/);
  // A mistyped flag on the line is still refused.
  assert.equal(withEnv({ TUNE_BOGUS: '1' }, ['studies', '--storage', db, '--bogus']).code, 2);
});
