/**
 * A pruner against none on the quick-start space (search-spaces/adam.json: random search, mnist MLP [128, 64],
 * 9 epochs), seed by seed: the best val_accuracy and the epochs trained. Both runs of a seed draw the same configs
 * with the same trial seeds, so they differ only in what the pruner stopped. Target (issue 14): within 0.3 points
 * of no pruner's best with at most 50% of its epochs.
 *
 * Run: `npm run bench -- pruners [--quick] [--seeds 7,8,9] [--trials 12] [--workers 2] [--pruner JSON]`.
 * `--quick` is a smoke run (one seed, 4 trials of 3 epochs on 1,000 digits). Writes results/bench/pruners.json,
 * with every trial's curve.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TrialRecord } from '../../src/core/types.js';
import { runSweep } from '../../src/engine/index.js';
import { loadSpace, normalisePruner, prunerSchema } from '../../src/space/index.js';
import type { PrunerSpec, SearchSpace } from '../../src/space/types.js';
import { openStorage } from '../../src/storage/index.js';
import { printTable, tempDir, writeResult } from './lib/common.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    seeds: { type: 'string' },
    trials: { type: 'string' },
    workers: { type: 'string', default: '2' },
    pruner: { type: 'string', default: '{"type":"median","startup":2,"warmup":1}' },
  },
});
const base = loadSpace('search-spaces/adam.json');
const seeds = (values.seeds ?? (values.quick ? '7' : '7,8,9')).split(',').map(Number);
const trials = Number(values.trials ?? (values.quick ? 4 : base.strategy.type === 'random' ? base.strategy.trials : 12));
const epochs = values.quick ? 3 : base.task.epochs;
const pruner: PrunerSpec = normalisePruner(prunerSchema.parse(JSON.parse(values.pruner)));
const dir = tempDir('pruners');

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
  const storagePath = join(dir, 'bench.db');
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
const rows: { seed: number; bestNone: number; bestPruned: number; points: number; epochsNone: number; epochsPruned: number; share: number; pruned: number }[] = [];
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
}
const total = (k: 'epochsNone' | 'epochsPruned') => rows.reduce((n, r) => n + r[k], 0);
const worst = Math.min(...rows.map((r) => r.points));
const share = total('epochsPruned') / total('epochsNone');
printTable(
  ['seed', 'best (no pruner)', `best (${pruner.type})`, 'Δ points', 'epochs (no pruner)', `epochs (${pruner.type})`, 'share', 'pruned'],
  rows.map((r) => [String(r.seed), r.bestNone.toFixed(4), r.bestPruned.toFixed(4), r.points.toFixed(2), String(r.epochsNone), String(r.epochsPruned), `${(100 * r.share).toFixed(0)}%`, `${r.pruned}/${trials}`]),
);
const met = worst >= -0.3 && rows.every((r) => r.share <= 0.5);
process.stdout.write(`pruner ${JSON.stringify(pruner)}: worst Δ ${worst.toFixed(2)} points, epochs ${(100 * share).toFixed(0)}% overall; target (≥ −0.3 points, ≤ 50% of the epochs, every seed): ${met ? 'met' : 'not met'}\n`);
writeResult(values.quick ? 'pruners-quick' : 'pruners', { quick: values.quick, trials, epochs, seeds, workers: Number(values.workers), pruner, rows, worstPoints: worst, epochShare: share, met, runs });
