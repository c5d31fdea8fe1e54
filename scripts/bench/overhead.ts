/**
 * The engine's cost per trial: sweeps of a no-op objective (scripts/bench/fixtures/noop.mjs, which returns a param
 * and reports nothing, so each trial is one ask, one stored trial, one dispatch to a worker, the single round trip
 * that stores its value, one finish and one tell), for random, grid and TPE, 1 and 2 workers, SQLite on disk (a temp
 * file, default durability) and in memory. Then the time of one ask() and tell() through the ask/tell API, and of
 * strategy.ask() alone on an in-memory context, at N finished trials.
 * Run: `npm run bench -- overhead [--quick] [--sizes 1000,5000] [--workers 1,2] [--strategies random,grid,tpe]
 * [--storage disk,memory]` (TPE runs once, 1 worker on disk). Writes results/bench/overhead.json.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { TrialRecord } from '../../src/core/types.js';
import { openStudy, runSweep } from '../../src/engine/index.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';
import { createStrategy } from '../../src/strategies/index.js';
import type { StrategyContext } from '../../src/strategies/types.js';
import { fmt, median, printTable, quantile, tempDir, writeResult } from './lib/common.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    workers: { type: 'string', default: '1,2' },
    strategies: { type: 'string', default: 'random,grid,tpe' },
    storage: { type: 'string', default: 'disk,memory' },
  },
});
const QUICK = args.quick;
const list = (s: string): number[] => s.split(',').map(Number);
const SIZES = args.sizes !== undefined ? list(args.sizes) : QUICK ? [300] : [1000, 5000, 20000];
const WORKERS = list(args.workers);
const STRATEGIES = args.strategies.split(',');
const STORAGES = args.storage.split(',');
const ASK_AT = QUICK ? [100, 500] : [100, 1000, 5000];
const ASKS = 50;
const TARGET_PER_SEC = 2000;
/** Per-trial time of the last window over an early one above this counts as rising. */
const FLAT_RATIO = 1.25;

const NOOP = fileURLToPath(new URL('./fixtures/noop.mjs', import.meta.url));
type StrategyName = 'random' | 'grid' | 'tpe';
type StorageKind = 'disk' | 'memory';

/** 1,000 × 25 = 25,000 grid points: enough for the largest sweep, and the same space for every strategy. */
function noopSpace(strategy: StrategyName, trials: number): SearchSpace {
  const spec: StrategySpec =
    strategy === 'grid' ? { type: 'grid', trials }
    : strategy === 'tpe' ? { type: 'tpe', trials, startup: 10, candidates: 24, gamma: 0.1, multivariate: true }
    : { type: 'random', trials };
  return {
    name: `overhead-${strategy}`,
    objective: { metric: 'x', direction: 'minimize' },
    task: { module: NOOP, validationSplit: 0.2, model: { type: 'mlp', hidden: [1] }, optimizer: 'adam', epochs: 1 },
    params: {
      x: { type: 'int', min: 0, max: 999, log: false, step: 1 },
      c: { type: 'categorical', values: Array.from({ length: 25 }, (_, i) => i) },
    },
    strategy: spec,
    seed: 1,
  };
}

interface SweepCase {
  readonly strategy: StrategyName;
  readonly workers: number;
  readonly storage: StorageKind;
  readonly trials: number;
}

interface SweepRow extends SweepCase {
  readonly ran: number;
  readonly startupS: number;
  readonly wallS: number;
  readonly perSecond: number;
  readonly wallPerTrialMs: number;
  readonly latencyMedianMs: number;
  readonly latencyP99Ms: number;
  /** ms between consecutive trial ends, over an early window (after a warm-up) and over the last one. */
  readonly earlyMs: number;
  readonly lateMs: number;
  readonly lateOverEarly: number;
}

/** Mean time between consecutive trial ends, from the end of trial `from` to that of trial `to` (1-based). */
const gap = (ends: readonly number[], from: number, to: number): number => (ends[to - 1]! - ends[from - 1]!) / (to - from);

async function sweep(c: SweepCase): Promise<SweepRow> {
  const storage = c.storage === 'memory' ? ':memory:' : join(tempDir('overhead'), 'tune.db');
  const started = new Map<number, number>();
  const latencies: number[] = [];
  const ends: number[] = [];
  let firstStart = Number.NaN;
  const t0 = performance.now();
  const result = await runSweep(noopSpace(c.strategy, c.trials), {
    storage,
    workers: c.workers,
    backend: 'cpu', // the objective never touches tfjs; cpu skips wasm's start-up and recycling
    onEvent: (e) => {
      const now = performance.now();
      if (e.type === 'trial-start') {
        if (Number.isNaN(firstStart)) firstStart = now;
        started.set(e.trial.id, now);
      } else if (e.type === 'trial-end') {
        latencies.push(now - (started.get(e.trial.id) ?? now));
        ends.push(now);
      }
    },
  });
  const n = ends.length;
  const wallMs = ends[n - 1]! - firstStart;
  // Early window: after a warm-up of a tenth of the sweep (at most 100 trials) while the JIT settles.
  const w = Math.min(500, Math.floor(n / 4));
  const skip = Math.min(100, Math.floor(n / 10)) + 1;
  const earlyMs = gap(ends, skip, skip + w);
  const lateMs = gap(ends, n - w, n);
  return {
    ...c,
    ran: result.ran,
    startupS: (firstStart - t0) / 1000,
    wallS: wallMs / 1000,
    perSecond: n / (wallMs / 1000),
    wallPerTrialMs: wallMs / n,
    latencyMedianMs: median(latencies),
    latencyP99Ms: quantile(latencies, 0.99),
    earlyMs,
    lateMs,
    lateOverEarly: lateMs / earlyMs,
  };
}

interface AskRow {
  readonly strategy: StrategyName;
  readonly trials: number;
  readonly askMs: number;
  readonly tellMs: number;
  readonly strategyAskMs: number;
}

/** ask() and tell() through openStudy (SQLite on disk), median over ASKS calls from each N in ASK_AT. */
async function askTell(strategy: StrategyName): Promise<Map<number, { ask: number; tell: number }>> {
  const total = Math.max(...ASK_AT) + ASKS;
  const study = await openStudy(noopSpace(strategy, total), { storage: join(tempDir('asktell'), 'tune.db') });
  const asks: number[] = [];
  const tells: number[] = [];
  try {
    for (let i = 0; i < total; i++) {
      const t0 = performance.now();
      const h = await study.ask();
      const t1 = performance.now();
      await study.tell(h, Number(h.params['x']));
      tells.push(performance.now() - t1);
      asks.push(t1 - t0);
    }
  } finally {
    await study.close();
  }
  return new Map(ASK_AT.map((n) => [n, { ask: median(asks.slice(n, n + ASKS)), tell: median(tells.slice(n, n + ASKS)) }]));
}

function record(number: number, params: TrialRecord['params'], value: number): TrialRecord {
  return {
    id: number + 1, studyId: 1, number, state: 'complete', params, budget: 1, rung: null, bracket: null, seed: number,
    value, epochs: 1, error: null, checkpoint: null, worker: null, attempts: 0,
    createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
  };
}

/** strategy.ask() alone, on a context of N finished trials held in memory: the strategy's share of ask(). */
function strategyAsk(strategy: StrategyName, size: number): number {
  const s = createStrategy(noopSpace(strategy, size + ASKS + 1));
  const filler = createStrategy(noopSpace('random', size));
  const trials: TrialRecord[] = [];
  const ctx: StrategyContext = { trials, sign: -1, maxTrials: size + ASKS + 1, valueAt: (id, epoch) => (epoch === 1 ? (trials[id - 1]?.value ?? undefined) : undefined) };
  const add = (suggestion: ReturnType<typeof s.ask>): void => {
    if (suggestion.kind !== 'trial') throw new Error(`expected a trial, got ${suggestion.kind}`);
    trials.push(record(trials.length, suggestion.params, Number(suggestion.params['x'])));
  };
  for (let i = 0; i < size; i++) add(filler.ask(ctx));
  const times: number[] = [];
  for (let i = 0; i < ASKS; i++) {
    const t0 = performance.now();
    const suggestion = s.ask(ctx);
    times.push(performance.now() - t0);
    add(suggestion);
  }
  return median(times);
}

const cases: SweepCase[] = [];
for (const trials of SIZES) {
  for (const strategy of (['random', 'grid'] as const).filter((s) => STRATEGIES.includes(s))) {
    for (const workers of WORKERS) {
      for (const storage of (['disk', 'memory'] as const).filter((s) => STORAGES.includes(s))) cases.push({ strategy, workers, storage, trials });
    }
  }
}
// TPE once, at the size the target names, for the comparison with Optuna's TPE.
if (STRATEGIES.includes('tpe')) cases.push({ strategy: 'tpe', workers: 1, storage: 'disk', trials: SIZES.includes(5000) ? 5000 : Math.max(...SIZES) });

process.stdout.write(`no-op objective (reports nothing), ${cases.length} sweeps; per-trial times in ms\n`);
const rows: SweepRow[] = [];
for (const c of cases) {
  const row = await sweep(c);
  rows.push(row);
  if (row.ran !== c.trials) throw new Error(`${c.strategy} ran ${row.ran} of ${c.trials} trials`);
}
printTable(
  ['strategy', 'workers', 'storage', 'trials', 'trials/s', 'wall/trial', 'latency median', 'latency p99', 'early → late per trial', 'late/early', 'start-up s'],
  rows.map((r) => [
    r.strategy, String(r.workers), r.storage, r.trials.toLocaleString('en-US'), fmt(r.perSecond), fmt(r.wallPerTrialMs), fmt(r.latencyMedianMs),
    fmt(r.latencyP99Ms), `${fmt(r.earlyMs)} → ${fmt(r.lateMs)}`, fmt(r.lateOverEarly), fmt(r.startupS, 2),
  ]),
);

process.stdout.write('\nask() and tell() through openStudy (SQLite on disk) and strategy.ask() alone, ms (median of 50 calls from N trials)\n');
const askRows: AskRow[] = [];
for (const strategy of (['random', 'tpe'] as const).filter((s) => STRATEGIES.includes(s))) {
  const measured = await askTell(strategy);
  for (const n of ASK_AT) {
    const m = measured.get(n)!;
    askRows.push({ strategy, trials: n, askMs: m.ask, tellMs: m.tell, strategyAskMs: strategyAsk(strategy, n) });
  }
}
printTable(
  ['strategy', 'N', 'ask()', 'tell()', 'strategy.ask()'],
  askRows.map((r) => [r.strategy, r.trials.toLocaleString('en-US'), fmt(r.askMs), fmt(r.tellMs), fmt(r.strategyAskMs)]),
);

const targets = rows.filter((r) => r.storage === 'disk' && r.trials === 5000 && r.strategy !== 'tpe');
process.stdout.write(`\ntarget: ≥ ${TARGET_PER_SEC} trials/s on disk at 5,000 trials, late/early ≤ ${FLAT_RATIO}${targets.length === 0 ? ': not judged (no 5,000-trial sweep in this run)' : ''}\n`);
for (const r of targets) {
  const met = r.perSecond >= TARGET_PER_SEC && r.lateOverEarly <= FLAT_RATIO;
  process.stdout.write(`  ${r.strategy}, ${r.workers} worker(s): ${fmt(r.perSecond)} trials/s, late/early ${fmt(r.lateOverEarly)}: ${met ? 'met' : 'NOT met'}\n`);
}
writeResult('overhead', { quick: QUICK, objective: 'noop.mjs, reports nothing', targetPerSecond: TARGET_PER_SEC, flatRatio: FLAT_RATIO, sweeps: rows, askTell: askRows });
