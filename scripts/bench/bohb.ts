/**
 * Model-based multi-fidelity on mnist: ASHA with random sampling against ASHA+TPE and BOHB, same seeds and the
 * same rung ladder; reports the best validation accuracy and the epochs spent, as mean ± spread over seeds.
 * Run: `npm run bench -- bohb [--quick] [--seeds 3]`. Writes results/bench/bohb.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runSweep } from '../../src/engine/index.js';
import { loadSpace } from '../../src/space/index.js';
import type { SearchSpace, StrategySpec } from '../../src/space/types.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, seeds: { type: 'string', default: '3' } } });
const base = loadSpace('search-spaces/adam.json');
const ladder = { eta: 3, minEpochs: 1, maxEpochs: values.quick ? 3 : 9 };
const trials = values.quick ? 6 : 27;
const variants: Record<string, StrategySpec> = {
  'asha (random)': { type: 'asha', ...ladder, trials },
  'asha + tpe': { type: 'asha', ...ladder, trials, sampler: 'tpe' },
  bohb: { type: 'bohb', ...ladder, iterations: 1, randomFraction: 1 / 3, candidates: 24, gamma: 0.15, multivariate: true },
};
const seeds = Array.from({ length: values.quick ? 1 : Number(values.seeds) }, (_, i) => 11 + i);
const dir = mkdtempSync(join(tmpdir(), 'tune-bench-bohb-'));
const rows: { variant: string; seed: number; epochs: number; best: number | null }[] = [];
for (const [variant, strategy] of Object.entries(variants)) {
  for (const seed of seeds) {
    const space: SearchSpace = {
      ...base,
      name: `bohb-bench-${variant.replace(/\W+/g, '-')}-${seed}`,
      seed,
      task: { ...base.task, data: { builtin: 'mnist', limit: values.quick ? 600 : 4000 } },
      strategy,
    };
    const r = await runSweep(space, { storage: join(dir, 'bench.db'), workers: 2, backend: 'wasm' });
    const epochs = r.trials.reduce((s, t) => s + t.epochs, 0);
    rows.push({ variant, seed, epochs, best: r.best?.value ?? null });
    process.stdout.write(`${variant.padEnd(14)} seed ${seed}  trials ${String(r.trials.length).padStart(3)}  epochs ${String(epochs).padStart(4)}  best ${r.best?.value?.toFixed(4) ?? '-'}\n`);
  }
}
const stat = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1)) };
};
process.stdout.write('\nvariant         best val_accuracy (mean ± sd)   epochs (mean)\n');
for (const variant of Object.keys(variants)) {
  const mine = rows.filter((r) => r.variant === variant);
  const acc = stat(mine.map((r) => r.best ?? Number.NaN));
  const ep = stat(mine.map((r) => r.epochs));
  process.stdout.write(`${variant.padEnd(14)}  ${acc.mean.toFixed(4)} ± ${acc.sd.toFixed(4)}               ${ep.mean.toFixed(0)}\n`);
}
mkdirSync('results/bench', { recursive: true });
writeFileSync('results/bench/bohb.json', JSON.stringify({ date: new Date().toISOString(), ladder, trials, seeds, rows }, null, 2));
