/** `tune report` from the command line: the file it writes, and bad input (§5) exiting 2 with the name in the message. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { cliArgs, runCli, tempDir, type CliResult } from '../helpers/cli.js';
import { seedStudy } from '../helpers/seed-study.js';
import { buildClient, ROOT } from './helpers.js';

const dir = tempDir('tune-report-cli-');
const db = join(dir, 'sweeps.db');

before(async () => {
  buildClient();
  const a = await seedStudy(db, { name: 'alpha', trials: 12, strategy: 'random' });
  await a.storage.close();
  const b = await seedStudy(db, { name: 'beta', trials: 9, strategy: 'asha' });
  await b.storage.close();
});

/** The CLI (as runCli starts it) with `cwd` as the working folder (for the default --out). */
function runIn(cwd: string, args: readonly string[]): CliResult {
  const r = spawnSync(process.execPath, [...cliArgs(), ...args], { cwd, encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('tune report', () => {
  test('writes results/<study>-report.html by default, with the study inlined, and leaves the database unchanged', () => {
    const cwd = tempDir('tune-report-cwd-');
    const before = readFileSync(db);
    const r = runIn(cwd, ['report', '--study', 'alpha', '--storage', db]);
    assert.equal(r.code, 0, r.stderr);
    const out = join(cwd, 'results', 'alpha-report.html');
    assert.match(r.stdout, /wrote results\/alpha-report\.html \(12 trials/);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /id="tune-report-data"/);
    assert.match(html, /"name":"alpha"/);
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/[^"'\s]*\.(js|css)\b/, 'nothing to fetch');
    assert.deepEqual(readFileSync(db), before, 'opened read-only');
  });

  test('--out into a missing folder creates it', () => {
    const out = join(dir, 'new', 'deeper', 'beta.html');
    const r = runCli(['report', '--study', 'beta', '--storage', db, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(statSync(out).size > 500_000);
  });

  test('an unknown study exits 2, naming it and listing the studies there are', () => {
    const r = runCli(['report', '--study', 'gamma', '--storage', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no study named "gamma"/);
    assert.match(r.stderr, /alpha, beta/);
  });

  test('a missing database and a file that is not a tune database exit 2, naming the file', () => {
    const missing = join(dir, 'nope.db');
    let r = runCli(['report', '--study', 'alpha', '--storage', missing]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.ok(!existsSync(missing), 'no database is created');
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'these are my notes, not a database\n'.repeat(200));
    r = runCli(['report', '--study', 'alpha', '--storage', text]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(text), r.stderr);
  });

  test('--out where nothing can be written exits 2, naming the path', () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const underFile = join(file, 'report.html');
    let r = runCli(['report', '--study', 'alpha', '--storage', db, '--out', underFile]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(underFile), r.stderr);
    const aDir = join(dir, 'a-dir');
    mkdirSync(aDir, { recursive: true });
    r = runCli(['report', '--study', 'alpha', '--storage', db, '--out', aDir]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(aDir), r.stderr);
  });

  test('--help lists the report command', () => {
    const r = runCli(['--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /tune report\s+Write one self-contained HTML report/);
  });
});
