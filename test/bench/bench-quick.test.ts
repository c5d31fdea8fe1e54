/**
 * Every benchmark runs in --quick mode (`npm run bench -- all --quick`) and its figures are sane: numbers that
 * parse, positive rates, regret ≥ 0, fractions in [0, 1]. Timings are never asserted: the machine is shared.
 * Results go to a temp folder (TUNE_BENCH_OUT) so the real results/bench/*.json stay as they are.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NAMES = ['throughput', 'search', 'fidelity', 'overhead', 'utilisation', 'memory'] as const;

const positive = (x: number, what: string): void => assert.ok(Number.isFinite(x) && x > 0, `${what}: ${x}`);
const nonNegative = (x: number, what: string): void => assert.ok(Number.isFinite(x) && x >= 0, `${what}: ${x}`);
const fraction = (x: number, what: string): void => assert.ok(Number.isFinite(x) && x >= 0 && x <= 1, `${what}: ${x}`);

interface Results {
  throughput: { rows: { bare: number; trainPerSecond: number; wallPerSecond: number }[] };
  search: { regret: { median: number; q1: number; q3: number }[]; askMs: { medianMs: number }[] };
  fidelity: { rows: { trials: number; epochs: number; best: number | null; seconds: number }[] };
  overhead: {
    sweeps: { trials: number; ran: number; perSecond: number; wallPerTrialMs: number; latencyMedianMs: number; latencyP99Ms: number; lateOverEarly: number }[];
    askTell: { askMs: number; tellMs: number; strategyAskMs: number }[];
  };
  utilisation: {
    rows: { epochs: number; wallS: number; busy: number; training: number; perWorker: { busy: number; training: number }[] }[];
    speedups: { wall: number; epochsPerSecond: number }[];
  };
  memory: { trials: number; fits: { first: number; last: number; slopePer100: number }[]; runs: { leakedTrials: number; samples: { rss: number; workerHeap: number; tensors: number }[] }[] };
}

const read = <K extends keyof Results>(dir: string, name: K): Results[K] => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Results[K];

test('npm run bench -- all --quick runs every benchmark and prints sane figures', { timeout: 600_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'tune-bench-test-'));
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench/run.ts', 'all', '--quick'], {
    cwd: ROOT,
    env: { ...process.env, TUNE_BENCH_OUT: out },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  for (const name of NAMES) assert.match(r.stdout, new RegExp(`\\| ${name} +\\| ok `), `summary line for ${name}`);
  // The printed tables hold numbers, never a NaN or an undefined.
  assert.doesNotMatch(r.stdout, /\bNaN\b|\bundefined\b|Infinity/);

  for (const row of read(out, 'throughput').rows) {
    positive(row.bare, 'bare fit samples/s');
    positive(row.trainPerSecond, 'trial train samples/s');
    positive(row.wallPerSecond, 'trial wall samples/s');
  }

  const search = read(out, 'search');
  assert.ok(search.regret.length > 0);
  for (const row of search.regret) for (const k of ['median', 'q1', 'q3'] as const) nonNegative(row[k], `regret ${k}`);
  for (const row of search.askMs) positive(row.medianMs, 'search ask ms');

  for (const row of read(out, 'fidelity').rows) {
    positive(row.trials, 'fidelity trials');
    positive(row.epochs, 'fidelity epochs');
    positive(row.seconds, 'fidelity seconds');
    assert.ok(row.best !== null, 'a best trial');
    fraction(row.best, 'best val_accuracy');
  }

  const overhead = read(out, 'overhead');
  assert.ok(overhead.sweeps.length > 0);
  for (const row of overhead.sweeps) {
    assert.equal(row.ran, row.trials);
    for (const k of ['perSecond', 'wallPerTrialMs', 'latencyMedianMs', 'latencyP99Ms', 'lateOverEarly'] as const) positive(row[k], `overhead ${k}`);
    assert.ok(row.latencyP99Ms >= row.latencyMedianMs);
  }
  for (const row of overhead.askTell) for (const k of ['askMs', 'tellMs', 'strategyAskMs'] as const) positive(row[k], `ask/tell ${k}`);

  const utilisation = read(out, 'utilisation');
  assert.equal(utilisation.rows.length, 4);
  for (const row of utilisation.rows) {
    positive(row.epochs, 'epochs');
    positive(row.wallS, 'wall s');
    fraction(row.busy, 'busy');
    fraction(row.training, 'training');
    assert.ok(row.training <= row.busy + 1e-9, 'training is part of busy');
    for (const w of row.perWorker) {
      fraction(w.busy, 'worker busy');
      fraction(w.training, 'worker training');
    }
  }
  for (const s of utilisation.speedups) {
    positive(s.wall, 'speed-up (wall)');
    positive(s.epochsPerSecond, 'speed-up (epochs/s)');
  }

  const memory = read(out, 'memory');
  assert.ok(memory.fits.length > 0);
  for (const f of memory.fits) {
    nonNegative(f.first, 'first sample');
    nonNegative(f.last, 'last sample');
    assert.ok(Number.isFinite(f.slopePer100), `slope ${f.slopePer100}`);
  }
  for (const run of memory.runs) {
    assert.equal(run.samples.length, memory.trials);
    nonNegative(run.leakedTrials, 'trials whose tensor count changed');
    for (const s of run.samples) {
      positive(s.rss, 'rss');
      positive(s.workerHeap, 'worker heap');
      nonNegative(s.tensors, 'tensors');
    }
  }
});
