/**
 * Parameter importance at scale: PED-ANOVA and fANOVA (src/importance/) over N synthetic finished trials × 32 params
 * (20 floats, 4 of them log; 8 ints; 4 categoricals of 3–5 choices), seeded. The objective depends on 4 params
 * (2 floats, 1 log float, 1 categorical) plus noise, so the bench also prints whether those 4 come out on top.
 * Times are the median of `--repeats` runs, each in this process after one warm-up run; "encode" is the trials →
 * columns step both estimators share. Target: both, encode included, ≤ 1 s at 10,000 × 32 (Optuna's PED-ANOVA
 * alone: 0.44 s, PR 5212).
 * Run: `npm run bench -- importance [--quick] [--sizes 1000,10000] [--repeats 5]`. Writes results/bench/importance.json.
 */
import { parseArgs } from 'node:util';
import { createRng } from '../../src/core/rng.js';
import type { ParamValue } from '../../src/core/types.js';
import { encodeColumns } from '../../src/importance/columns.js';
import { fanovaImportance } from '../../src/importance/fanova.js';
import type { ImportanceInput, ParamInfo } from '../../src/importance/index.js';
import { pedAnovaImportance } from '../../src/importance/ped-anova.js';
import { fmt, median, printTable, writeResult } from './lib/common.js';

const { values: args } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, sizes: { type: 'string' }, repeats: { type: 'string', default: '5' } },
});
const SIZES = args.sizes !== undefined ? args.sizes.split(',').map(Number) : args.quick ? [1000] : [1000, 10000];
const REPEATS = args.quick ? 1 : Math.max(1, Number(args.repeats));
const TARGET_S = 1;
const PARAMS = 32;
const RELEVANT = ['f0', 'f1', 'lr0', 'c0'];

function params(): ParamInfo[] {
  const out: ParamInfo[] = [];
  for (let i = 0; i < 16; i++) out.push({ name: `f${i}`, spec: { type: 'float', min: -5, max: 5, log: false } });
  for (let i = 0; i < 4; i++) out.push({ name: `lr${i}`, spec: { type: 'float', min: 1e-5, max: 1, log: true } });
  for (let i = 0; i < 8; i++) out.push({ name: `i${i}`, spec: { type: 'int', min: 1, max: 512, log: i % 2 === 0, step: 1 } });
  for (let i = 0; i < 4; i++) out.push({ name: `c${i}`, spec: { type: 'categorical', values: ['a', 'b', 'c', 'd', 'e'].slice(0, 3 + (i % 3)) } });
  return out;
}

function study(n: number, seed: number): ImportanceInput {
  const rng = createRng(`importance-bench/${seed}`);
  const infos = params();
  const trials = Array.from({ length: n }, () => {
    const p: Record<string, ParamValue> = {};
    for (const { name, spec } of infos) {
      if (spec.type === 'float') p[name] = spec.log ? Math.exp(Math.log(spec.min) + rng() * Math.log(spec.max / spec.min)) : spec.min + rng() * (spec.max - spec.min);
      else if (spec.type === 'int') p[name] = spec.min + Math.floor(rng() * (spec.max - spec.min + 1));
      else if (spec.type === 'categorical') p[name] = spec.values[Math.floor(rng() * spec.values.length)]!;
    }
    const value =
      (p['f0'] as number) ** 2 + 0.5 * ((p['f1'] as number) - 1) ** 2 + 4 * (Math.log10(p['lr0'] as number) + 3) ** 2 / 4 +
      (p['c0'] === 'b' ? 0 : 6) + 0.5 * rng();
    return { params: p, value };
  });
  return { params: infos, trials, direction: 'minimize' };
}

/**
 * CPU seconds of this thread (user + system) spent in `f`. On a shared machine wall time mostly measures the
 * neighbours; the estimators are single-threaded, so CPU time is what they would take on an idle core.
 */
function time<T>(f: () => T): [T, number] {
  const t0 = process.cpuUsage();
  const out = f();
  const d = process.cpuUsage(t0);
  return [out, (d.user + d.system) / 1e6];
}

const rows: string[][] = [];
const results: Record<string, unknown>[] = [];
for (const n of SIZES) {
  const input = study(n, n);
  const runs = { encode: [] as number[], pedAnova: [] as number[], fanova: [] as number[], total: [] as number[] };
  let top = { pedAnova: [] as string[], fanova: [] as string[] };
  for (let r = 0; r <= REPEATS; r++) {
    const [columns, te] = time(() => encodeColumns(input));
    const [ped, tp] = time(() => pedAnovaImportance(columns, {}));
    const [fan, tf] = time(() => fanovaImportance(columns, { seed: 1 }));
    if (r === 0) {
      top = { pedAnova: Object.keys(ped).slice(0, 4), fanova: Object.keys(fan).slice(0, 4) };
      continue; // warm-up
    }
    runs.encode.push(te);
    runs.pedAnova.push(tp);
    runs.fanova.push(tf);
    runs.total.push(te + tp + tf);
  }
  const m = { encode: median(runs.encode), pedAnova: median(runs.pedAnova), fanova: median(runs.fanova), total: median(runs.total) };
  const found = (names: string[]) => `${names.filter((x) => RELEVANT.includes(x)).length}/4`;
  rows.push([n.toLocaleString('en-US'), String(PARAMS), fmt(m.encode), fmt(m.pedAnova), fmt(m.fanova), fmt(m.total), found(top.pedAnova), found(top.fanova)]);
  results.push({ trials: n, params: PARAMS, seconds: m, runs, top, met: n !== 10000 || m.total <= TARGET_S });
}
printTable(['trials', 'params', 'encode CPU s', 'PED-ANOVA CPU s', 'fANOVA CPU s', 'total CPU s', 'relevant in PED top 4', 'relevant in fANOVA top 4'], rows);
const file = writeResult('importance', { target_s: TARGET_S, repeats: REPEATS, results });
process.stdout.write(`wrote ${file}\n`);
