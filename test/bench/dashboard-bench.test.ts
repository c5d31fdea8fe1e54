/**
 * The dashboard benchmark runs in --quick mode and its figures are sane (finite, positive, the patch far smaller than
 * the data). Timings are never asserted: the machine is shared. Results go to a temp folder (TUNE_BENCH_OUT).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

test('npm run bench -- dashboard --quick writes sane figures', () => {
  const out = mkdtempSync(join(tmpdir(), 'tune-bench-dash-'));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench/dashboard.ts', '--quick'], {
      cwd: ROOT, encoding: 'utf8', timeout: 600_000, env: { ...process.env, TUNE_BENCH_OUT: out },
    });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /update: new trial shown/);
    const res = JSON.parse(readFileSync(join(out, 'dashboard.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(res.trials, 300);
    for (const key of ['buildMs', 'refreshMs', 'firstChartS', 'loadS', 'fullBytes', 'patchBytes']) {
      const x = res[key] as number;
      assert.ok(Number.isFinite(x) && x > 0, `${key}: ${x}`);
    }
    assert.ok((res.patchBytes as number) < (res.fullBytes as number) / 10, 'an update sends a patch, not the study');
    for (const key of ['trialMs', 'epochMs']) {
      const xs = res[key] as number[];
      assert.equal(xs.length, 2, key);
      assert.ok(xs.every((x) => Number.isFinite(x) && x > 0), `${key}: ${xs.join(', ')}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
