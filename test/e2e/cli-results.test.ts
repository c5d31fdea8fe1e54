/** `tune trials`, `tune export --curves` and the one `--format` of every reading command, on a real sweep's database. */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { runCli, tempDir } from '../helpers/cli.js';

const SPACE = resolve(import.meta.dirname, '../fixtures/cli/steps.json');
const db = join(tempDir(), 'tune.db');
const on = ['--study', 'steps', '--storage', db];

before(() => {
  // Grid over x = 0.2, 0.4, 0.95, 0.6; x > 0.9 throws at step 2, so one trial fails after one epoch.
  const r = runCli(['--space', SPACE, '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

interface TrialRow {
  trial: number;
  state: string;
  value: number | null;
  epochs: number;
  durationMs: number | null;
  startedAt: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  params: Record<string, number> & { x: number };
}

function ok(args: readonly string[]): string {
  const r = runCli(args);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

/** A minimal RFC 4180 reader: enough for quoted cells holding commas. */
function csv(text: string): string[][] {
  return text.trimEnd().split('\n').map((line) => (line.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? []).slice(0, -1).map((c) => c.replace(/,$/, '').replace(/^"(.*)"$/s, '$1').replace(/""/g, '"')));
}

test('tune trials lists every trial with state, value, epochs, start, duration and the error', () => {
  const rows = JSON.parse(ok(['trials', ...on, '--format', 'json'])) as TrialRow[];
  assert.deepEqual(rows.map((r) => r.trial), [0, 1, 2, 3]);
  const failed = rows.find((r) => r.state === 'failed')!;
  assert.equal(failed.params.x, 0.95);
  assert.equal(failed.errorKind, 'exception');
  assert.match(failed.errorMessage!, /x=0\.95 is too big/);
  assert.equal(failed.epochs, 1);
  for (const r of rows.filter((x) => x.state === 'complete')) {
    assert.equal(r.epochs, 3);
    assert.ok(Math.abs(r.value! - r.params.x / 3) < 1e-12, `value ${r.value} for x ${r.params.x}`);
    assert.ok(r.durationMs !== null && r.durationMs >= 0);
    assert.ok(r.startedAt !== null && !Number.isNaN(Date.parse(r.startedAt)));
  }
  const table = ok(['trials', ...on]);
  assert.match(table, /#2\s+failed/);
  assert.match(table, /exception: .*x=0\.95/);
});

test('tune trials --state filters, and an unknown state exits 2', () => {
  const failed = JSON.parse(ok(['trials', ...on, '--state', 'failed', '--json'])) as TrialRow[];
  assert.deepEqual(failed.map((r) => r.trial), [2]);
  const both = JSON.parse(ok(['trials', ...on, '--state', 'complete,failed', '--json'])) as TrialRow[];
  assert.equal(both.length, 4);
  const bad = runCli(['trials', ...on, '--state', 'complete,finished']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--state: expected .*"complete,finished"/);
});

test('tune trials --format csv has Optuna-style params_ columns and quotes cells with commas', () => {
  const [header, ...rows] = csv(ok(['trials', ...on, '--format', 'csv']));
  assert.ok(header!.includes('params_x') && header!.includes('errorKind') && header!.includes('durationMs'), header!.join(','));
  assert.equal(rows.length, 4);
  const x = header!.indexOf('params_x');
  const state = header!.indexOf('state');
  assert.deepEqual(rows.map((r) => [r[state], Number(r[x])]), [['complete', 0.2], ['complete', 0.4], ['failed', 0.95], ['complete', 0.6]]);
});

test('tune export --curves writes trial x epoch x metric in long format, as CSV and JSON', () => {
  const [header, ...rows] = csv(ok(['export', ...on, '--curves', '--format', 'csv']));
  assert.deepEqual(header, ['trial', 'epoch', 'metric', 'value']);
  // Three complete trials x 3 epochs x 2 metrics, and the failed one's single epoch x 2 metrics.
  assert.equal(rows.length, 3 * 3 * 2 + 2);
  const loss = rows.filter((r) => r[0] === '1' && r[2] === 'loss').map((r) => Number(r[3]));
  assert.deepEqual(loss.map((v) => v.toFixed(6)), [0.4 / 1, 0.4 / 2, 0.4 / 3].map((v) => v.toFixed(6)));
  const points = JSON.parse(ok(['export', ...on, '--curves', '--format', 'json'])) as { trial: number; epoch: number; metric: string; value: number }[];
  assert.equal(points.length, rows.length);
  assert.deepEqual(points.find((p) => p.trial === 1 && p.epoch === 2 && p.metric === 'double'), { trial: 1, epoch: 2, metric: 'double', value: 0.4 });
  const best = JSON.parse(ok(['export', ...on, '--curves', '--top', '1', '--json'])) as { trial: number }[];
  assert.deepEqual([...new Set(best.map((p) => p.trial))], [0]);
});

test('--format table|json|yaml|csv works on top, show, studies, trials and export; --json is --format json', () => {
  const commands: [string, string[]][] = [
    ['top', ['top', ...on]],
    ['show', ['show', ...on, '--trial', '1']],
    ['studies', ['studies', '--storage', db]],
    ['trials', ['trials', ...on]],
    ['export', ['export', ...on, '--top', '3']],
  ];
  for (const [name, args] of commands) {
    const json = JSON.parse(ok([...args, '--format', 'json'])) as unknown;
    assert.deepEqual(JSON.parse(ok([...args, '--json'])), json, `${name}: --json differs from --format json`);
    assert.deepEqual(parseYaml(ok([...args, '--format', 'yaml'])), json, `${name}: YAML differs from JSON`);
    const table = ok([...args, '--format', 'table']);
    assert.throws(() => JSON.parse(table) as unknown, SyntaxError, `${name}: the table is JSON`);
    const [header, ...rows] = csv(ok([...args, '--format', 'csv']));
    assert.ok(header!.length > 1 && rows.length > 0, `${name}: empty CSV`);
    assert.ok(rows.every((r) => r.length === header!.length), `${name}: ragged CSV`);
  }
  const top = csv(ok(['top', ...on, '--format', 'csv']));
  assert.deepEqual(top[1]!.slice(0, 3), ['1', '0', 'complete']);
  const show = csv(ok(['show', ...on, '--trial', '1', '--format', 'csv']));
  assert.deepEqual(show[0], ['epoch', 'double', 'loss']);
  assert.equal(show.length, 4);
  const exported = ok(['export', ...on, '--top', '2', '--format', 'table']);
  assert.match(exported, /1\s+#0\s+0\.06667/);
  assert.equal(runCli(['top', ...on, '--format', 'xml']).code, 2);
});
