/**
 * Multi-fidelity against random search on the same space and seed: total epochs trained and the best
 * validation accuracy, per strategy. Run: `npm run bench -- fidelity [--quick] [--workers 2]`.
 * Writes results/bench/fidelity.json.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSweep } from '../../src/engine/index.js';
import { loadSpace } from '../../src/space/index.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';
import { writeResult } from './lib/common.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, workers: { type: 'string', default: '2' } } });
const base = loadSpace('search-spaces/adam.json');
const maxEpochs = values.quick ? 3 : 9;
const fidelity = { eta: 3, minEpochs: 1, maxEpochs };
const strategies: Record<string, StrategySpec> = {
  random: { type: 'random', trials: values.quick ? 3 : 9 },
  'successive-halving': { type: 'successive-halving', ...fidelity, trials: values.quick ? 3 : 27 },
  hyperband: { type: 'hyperband', ...fidelity, iterations: 1 },
  asha: { type: 'asha', ...fidelity, trials: values.quick ? 4 : 27 },
};
const dir = mkdtempSync(join(tmpdir(), 'tune-bench-fidelity-'));
const rows: { strategy: string; trials: number; epochs: number; best: number | null; seconds: number; curve: [number, number][] }[] = [];
for (const [name, strategy] of Object.entries(strategies)) {
  const space: SearchSpace = {
    ...base,
    name: `bench-${name}`,
    task: { ...base.task, epochs: maxEpochs, data: values.quick ? { builtin: 'mnist', limit: 1000 } : base.task.data },
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
writeResult('fidelity', { quick: values.quick, maxEpochs, seed: base.seed, rows });
