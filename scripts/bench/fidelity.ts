/**
 * Multi-fidelity against random search on the same space and seed: total epochs trained and the best
 * validation accuracy, per strategy. Run: `npm run bench -- fidelity [--quick] [--workers 2] [--budget similar|third]
 * [--task mnist|csv]`. `--budget third` sizes the multi-fidelity strategies to about a third of random search's
 * epochs; `--task csv` uses a seeded synthetic CSV (5 overlapping Gaussian classes in 8 dimensions).
 * Writes results/bench/fidelity[-csv][-third].json.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRng } from '../../src/core/rng.js';
import { runSweep } from '../../src/engine/index.js';
import { loadSpace } from '../../src/space/index.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';
import { writeResult } from './lib/common.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    workers: { type: 'string', default: '2' },
    budget: { type: 'string', default: 'similar' },
    task: { type: 'string', default: 'mnist' },
  },
});
const third = values.budget === 'third';
const base = loadSpace('search-spaces/adam.json');
const maxEpochs = values.quick ? 3 : 9;
const fidelity = { eta: 3, minEpochs: 1, maxEpochs };
// Random search: 9 configs × 9 epochs = 81. "third": SHA 9 configs (9 + 6 + 6 = 21 epochs), Hyperband from 3
// epochs (3·3 + 6 + 2·9 = 33), ASHA 10 configs (about 25).
const strategies: Record<string, StrategySpec> = {
  random: { type: 'random', trials: values.quick ? 3 : 9 },
  'successive-halving': { type: 'successive-halving', ...fidelity, trials: values.quick ? 3 : third ? 9 : 27 },
  hyperband: { type: 'hyperband', ...fidelity, ...(third && !values.quick ? { minEpochs: 3 } : {}), iterations: 1 },
  asha: { type: 'asha', ...fidelity, trials: values.quick ? 4 : third ? 10 : 27 },
};
const dir = mkdtempSync(join(tmpdir(), 'tune-bench-fidelity-'));

/** Five overlapping Gaussian classes in 8 dimensions, seeded: a CSV task where accuracy has room to vary. */
function syntheticCsv(file: string, rows: number): void {
  const rng = createRng('fidelity-csv');
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const centres = Array.from({ length: 5 }, () => Array.from({ length: 8 }, () => gauss() * 1.2));
  const lines = [[...Array.from({ length: 8 }, (_, i) => `f${i}`), 'label'].join(',')];
  for (let r = 0; r < rows; r++) {
    const c = r % 5;
    lines.push([...centres[c]!.map((m) => (m + gauss()).toFixed(4)), `c${c}`].join(','));
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
}
const csvFile = join(dir, 'classes.csv');
if (values.task === 'csv') syntheticCsv(csvFile, values.quick ? 500 : 4000);
const rows: { strategy: string; trials: number; epochs: number; best: number | null; seconds: number; curve: [number, number][] }[] = [];
for (const [name, strategy] of Object.entries(strategies)) {
  const space: SearchSpace = {
    ...base,
    name: `bench-${name}`,
    task: {
      ...base.task,
      epochs: maxEpochs,
      ...(values.task === 'csv'
        ? { data: { csv: csvFile, label: 'label' }, model: { type: 'mlp' as const, hidden: [32, 16] } }
        : { data: values.quick ? { builtin: 'mnist' as const, limit: 1000 } : base.task.data }),
    },
    strategy,
  };
  // Best accuracy so far against epochs spent, in the order trials finished.
  let spent = 0;
  let best = Number.NEGATIVE_INFINITY;
  const curve: [number, number][] = [];
  const result = await runSweep(space, {
    storage: join(dir, 'bench.db'),
    workers: Number(values.workers),
    backend: 'wasm',
    onEvent: (e) => {
      if (e.type !== 'epoch') return;
      spent++;
      if (e.trial.budget === maxEpochs && e.epoch === maxEpochs && e.value > best) best = e.value;
      curve.push([spent, best]);
    },
  });
  const epochs = result.trials.reduce((sum, t) => sum + t.epochs, 0);
  rows.push({ strategy: name, trials: result.trials.length, epochs, best: result.best?.value ?? null, seconds: result.elapsedMs / 1000, curve });
  process.stdout.write(`${name.padEnd(20)} trials ${String(result.trials.length).padStart(3)}  epochs ${String(epochs).padStart(4)}  best val_accuracy ${result.best?.value?.toFixed(4) ?? '-'}  ${(result.elapsedMs / 1000).toFixed(0)} s\n`);
}
writeResult(`fidelity${values.task === 'csv' ? '-csv' : ''}${third ? '-third' : ''}`, { quick: values.quick, task: values.task, budget: values.budget, maxEpochs, seed: base.seed, rows });
