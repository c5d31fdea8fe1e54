/**
 * A pruner against none on the quick-start space (search-spaces/adam.json: random search, mnist MLP [128, 64],
 * 9 epochs), seed by seed: the best val_accuracy and the epochs trained. Both runs of a seed draw the same configs
 * with the same trial seeds, so they differ only in what the pruner stopped. Target (issue 14): within 0.3 points
 * of no pruner's best with at most 50% of its epochs.
 *
 * Run: `npm run bench -- pruners [--quick] [--seeds 7,8,9] [--trials 12] [--workers 2] [--pruner JSON] [--db FILE]`.
 * `--quick` is a smoke run (one seed, 4 trials of 3 epochs on 1,000 digits). Writes results/bench/pruners.json,
 * with every trial's curve, after each seed. `--replay FILE` trains nothing: it replays pruners (each `--pruner`
 * given, or a default set) over the unpruned runs stored in FILE (a `--db` of an earlier run), one worker's way
 * (lib/pruner-replay.ts), and writes results/bench/pruners-replay.json.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TrialRecord } from '../../src/core/types.js';
import { runSweep } from '../../src/engine/index.js';
import { loadSpace, normalisePruner, prunerSchema } from '../../src/space/index.js';
import type { PrunerSpec, SearchSpace } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { printTable, tempDir, writeResult } from './lib/common.js';
import { replayPruner } from './lib/pruner-replay.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    trials: { type: 'string' },
    workers: { type: 'string', default: '2' },
    pruner: { type: 'string', multiple: true },
    db: { type: 'string' },
    replay: { type: 'string' },
  },
});
const DEFAULT_PRUNER = '{"type":"median","startup":2,"warmup":1}';
const parsePruner = (json: string): PrunerSpec => normalisePruner(prunerSchema.parse(JSON.parse(json)));
if (values.replay !== undefined) {
  await replay(values.replay, (values.pruner ?? replayDefaults()).map(parsePruner));
  process.exit(0);
}
const base = loadSpace('search-spaces/adam.json');
const seeds = (values.seeds ?? (values.quick ? '7' : '7,8,9')).split(',').map(Number);
const trials = Number(values.trials ?? (values.quick ? 4 : base.strategy.type === 'random' ? base.strategy.trials : 12));
const epochs = values.quick ? 3 : base.task.epochs;
const pruner: PrunerSpec = parsePruner(values.pruner?.[0] ?? DEFAULT_PRUNER);
const storagePath = values.db ?? join(tempDir('pruners'), 'bench.db');

interface Run {
  readonly seed: number;
  readonly pruner: string;
  readonly best: number | null;
  readonly epochs: number;
  readonly pruned: number;
  readonly seconds: number;
  readonly trials: { number: number; state: string; epochs: number; value: number | null; curve: (number | null)[] }[];
}

async function run(seed: number, withPruner: boolean): Promise<Run> {
  const name = `bench-pruners-${seed}-${withPruner ? pruner.type : 'none'}`;
  const space: SearchSpace = {
    ...base,
    name,
    seed,
    task: { ...base.task, epochs, ...(values.quick ? { data: { builtin: 'mnist' as const, limit: 1000 } } : {}) },
    strategy: { type: 'random', trials },
    ...(withPruner ? { pruner } : {}),
  };
  const result = await runSweep(space, { storage: storagePath, workers: Number(values.workers), backend: 'wasm' });
  const storage = openStorage(storagePath);
  try {
    const curves = await storage.objectiveCurves(result.study.id, space.objective.metric);
    const row = (t: TrialRecord) => ({ number: t.number, state: t.state, epochs: t.epochs, value: t.value, curve: [...(curves.get(t.id) ?? [])].map((v) => (Number.isFinite(v) ? v : null)) });
    return {
      seed,
      pruner: withPruner ? JSON.stringify(pruner) : 'none',
      best: result.best?.value ?? null,
      epochs: result.trials.reduce((n, t) => n + t.epochs, 0),
      pruned: result.trials.filter((t) => t.state === 'pruned').length,
      seconds: result.elapsedMs / 1000,
      trials: result.trials.map(row),
    };
  } finally {
    await storage.close();
  }
}

const runs: Run[] = [];
const save = (rows: readonly Row[], done: boolean) => {
  const total = (k: 'epochsNone' | 'epochsPruned') => rows.reduce((n, r) => n + r[k], 0);
  const worst = Math.min(...rows.map((r) => r.points));
  const share = total('epochsPruned') / total('epochsNone');
  const met = worst >= -0.3 && rows.every((r) => r.share <= 0.5);
  writeResult(values.quick ? 'pruners-quick' : 'pruners', { quick: values.quick, trials, epochs, seeds, done, workers: Number(values.workers), pruner, storagePath, rows, worstPoints: worst, epochShare: share, met, runs });
  return { worst, share, met };
};
interface Row { seed: number; bestNone: number; bestPruned: number; points: number; epochsNone: number; epochsPruned: number; share: number; pruned: number }
const rows: Row[] = [];
for (const seed of seeds) {
  const none = await run(seed, false);
  const pruned = await run(seed, true);
  runs.push(none, pruned);
  const row = {
    seed,
    bestNone: none.best ?? Number.NaN,
    bestPruned: pruned.best ?? Number.NaN,
    points: 100 * ((pruned.best ?? Number.NaN) - (none.best ?? Number.NaN)),
    epochsNone: none.epochs,
    epochsPruned: pruned.epochs,
    share: pruned.epochs / none.epochs,
    pruned: pruned.pruned,
  };
  rows.push(row);
  process.stdout.write(
    `seed ${seed}: no pruner best ${row.bestNone.toFixed(4)} in ${row.epochsNone} epochs (${none.seconds.toFixed(0)} s); ` +
      `${pruner.type} best ${row.bestPruned.toFixed(4)} in ${row.epochsPruned} epochs (${pruned.seconds.toFixed(0)} s), ${row.pruned} of ${trials} pruned\n`,
  );
  save(rows, false);
}
const { worst, share, met } = save(rows, true);
printTable(
  ['seed', 'best (no pruner)', `best (${pruner.type})`, 'Δ points', 'epochs (no pruner)', `epochs (${pruner.type})`, 'share', 'pruned'],
  rows.map((r) => [String(r.seed), r.bestNone.toFixed(4), r.bestPruned.toFixed(4), r.points.toFixed(2), String(r.epochsNone), String(r.epochsPruned), `${(100 * r.share).toFixed(0)}%`, `${r.pruned}/${trials}`]),
);
process.stdout.write(`pruner ${JSON.stringify(pruner)}: worst Δ ${worst.toFixed(2)} points, epochs ${(100 * share).toFixed(0)}% overall; target (≥ −0.3 points, ≤ 50% of the epochs, every seed): ${met ? 'met' : 'not met'}\n`);

/** Optuna's default median pruner, the benchmark's, gentler and harsher ones, and the other rules. */
function replayDefaults(): string[] {
  return [
    '{"type":"median"}',
    DEFAULT_PRUNER,
    '{"type":"median","startup":3,"warmup":2}',
    '{"type":"median","startup":1,"warmup":1}',
    '{"type":"percentile","percentile":25,"startup":2,"warmup":1}',
    '{"type":"patience","patience":2,"minDelta":0.002}',
    '{"type":"threshold","lower":0.85,"warmup":1}',
  ];
}

async function replay(file: string, pruners: readonly PrunerSpec[]): Promise<void> {
  const storage = openStorage(file);
  try {
    const studies = (await storage.studies()).map((s) => s.study).filter((s) => /^bench-pruners-\d+-none$/.test(s.name));
    if (studies.length === 0) throw new Error(`${file}: no unpruned bench-pruners-<seed>-none study to replay`);
    const out: { seed: string; pruner: PrunerSpec; best: number | null; bestNone: number | null; points: number; epochs: number; epochsNone: number; share: number; pruned: number; trials: number }[] = [];
    for (const study of studies) {
      const stored = await storage.trials(study.id);
      if (stored.some((t) => t.state !== 'complete' && t.state !== 'failed')) continue; // an unfinished run
      const curves = await storage.objectiveCurves(study.id, study.metric);
      const trials = stored.map((t) => ({ number: t.number, budget: t.budget, state: t.state, curve: curves.get(t.id) ?? [] }));
      const sign = study.direction === 'maximize' ? 1 : -1;
      const epochsNone = stored.reduce((n, t) => n + t.epochs, 0);
      const bestNone = stored.filter((t) => t.state === 'complete' && t.value !== null).reduce<number | null>((b, t) => (b === null || sign * t.value! > sign * b ? t.value : b), null);
      for (const p of pruners) {
        const r = replayPruner(trials, p, sign);
        out.push({ seed: study.name.split('-')[2]!, pruner: p, best: r.best, bestNone, points: 100 * ((r.best ?? Number.NaN) - (bestNone ?? Number.NaN)), epochs: r.epochs, epochsNone, share: r.epochs / epochsNone, pruned: r.pruned, trials: trials.length });
      }
    }
    printTable(
      ['seed', 'pruner', 'best (none)', 'best', 'Δ points', 'epochs', 'share', 'pruned'],
      out.map((r) => [r.seed, JSON.stringify(r.pruner), r.bestNone?.toFixed(4) ?? '-', r.best?.toFixed(4) ?? '-', r.points.toFixed(2), `${r.epochs}/${r.epochsNone}`, `${(100 * r.share).toFixed(0)}%`, `${r.pruned}/${r.trials}`]),
    );
    writeResult('pruners-replay', { file, rows: out });
  } finally {
    await storage.close();
  }
}
