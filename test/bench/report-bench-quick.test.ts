/**
 * The report benchmark runs in --quick mode at a tiny size and its figures are sane: positive times, a file that
 * holds the trials, a brush that selected something. Timings are never asserted: the machine is shared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('npm run bench -- report --quick prints and writes sane figures', { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'tune-bench-report-'));
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  assert.equal(spawnSync(process.execPath, [tsc, '-p', 'tsconfig.client.json'], { cwd: ROOT }).status, 0, 'client builds');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench/run.ts', 'report', '--quick', '--trials', '300', '--brush-trials', '200'], {
    cwd: ROOT, env: { ...process.env, TUNE_BENCH_OUT: out }, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`);
  assert.match(r.stdout, /\| file size +\| [\d.]+ MB/);
  assert.doesNotMatch(r.stdout, /\bNaN\b|\bundefined\b|Infinity/);
  const res = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
    trials: number; build: { totalS: number; bytes: number }; firstPaintSeconds: number; brushMedianMs: number;
    brushes: { selected: number; settledMs: number }[];
  };
  assert.equal(res.trials, 300);
  for (const x of [res.build.totalS, res.firstPaintSeconds, res.brushMedianMs]) assert.ok(Number.isFinite(x) && x > 0, String(x));
  assert.ok(res.build.bytes > 1_000_000, 'ECharts and the data are inlined');
  assert.ok(res.brushes.every((b) => b.selected > 0 && b.selected <= 200 && b.settledMs > 0));
});
