/** Node-side tests of the report's chart data: the ECharts option objects built from a seeded study's ReportData. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { TrialRecord } from '../../src/core/types.js';
import { contourOption, contourParams } from '../../src/report/client/charts/contour.js';
import { CURVE_CAP, curvesOption, pickCurves, valueAxisBounds } from '../../src/report/client/charts/curves.js';
import { fidelityOption, rungRows } from '../../src/report/client/charts/fidelity.js';
import { historyOption } from '../../src/report/client/charts/history.js';
import { importanceOption } from '../../src/report/client/charts/importance.js';
import { lttb } from '../../src/report/client/charts/lttb.js';
import { brushMask, COLOUR_BUCKETS, niceRange, parallelLines, parallelOption } from '../../src/report/client/charts/parallel.js';
import { slicesOption } from '../../src/report/client/charts/slices.js';
import { timelineBars, timelineOption } from '../../src/report/client/charts/timeline.js';
import type { ChartResult } from '../../src/report/client/charts/types.js';
import { buildModel, curveOf, decodeCurves, type Model } from '../../src/report/client/model.js';
import { summaryFacts, summaryHtml } from '../../src/report/client/summary.js';
import { tableColumns, tableRows, toCsv } from '../../src/report/client/table-data.js';
import { encodeCurves, loadReportData, type ReportData } from '../../src/report/index.js';
import { round10 } from '../../src/report/load.js';
import { tempDir } from '../helpers/cli.js';
import { openStorage } from '../../src/storage/index.js';
import { seedSpace, seedStudy } from '../helpers/seed-study.js';

interface Seeded {
  model: Model;
  records: readonly TrialRecord[];
}

async function seeded(strategy: 'random' | 'asha', trials: number, unstarted = false): Promise<Seeded> {
  const { storage, study } = await seedStudy(join(tempDir('tune-report-'), 'seed.db'), { trials, strategy, unstarted });
  try {
    const data = await loadReportData(storage, study);
    // Through JSON, as the page gets it.
    return { model: buildModel(JSON.parse(JSON.stringify(data)) as ReportData), records: await storage.trials(study.id) };
  } finally {
    await storage.close();
  }
}

function chart(r: ChartResult) {
  assert.equal(r.kind, 'chart', r.kind === 'empty' ? r.message : '');
  return r as Extract<ChartResult, { kind: 'chart' }>;
}

type AnySeries = { id?: string; type?: string; data?: unknown[]; markLine?: { data: { xAxis: number }[] } };
const seriesOf = (r: ChartResult) => chart(r).option.series as AnySeries[];

let random: Seeded;
let asha: Seeded;
let empty: Seeded;
before(async () => {
  random = await seeded('random', 60);
  asha = await seeded('asha', 60);
  empty = await seeded('random', 6, true);
});

describe('history', () => {
  test('one point per trial with a value, per state, and a best-so-far line that never gets worse', () => {
    const withValue = random.records.filter((t) => t.value !== null && Number.isFinite(t.value));
    const r = chart(historyOption(random.model, null));
    assert.equal(r.points, withValue.length);
    const series = seriesOf(r);
    const byNumber = series.filter((s) => s.id?.startsWith('n-'));
    assert.equal(byNumber.reduce((s, x) => s + x.data!.length, 0), withValue.length);
    assert.deepEqual(new Set(byNumber.map((s) => s.id!.slice(2))), new Set(withValue.map((t) => t.state)));
    const best = series.find((s) => s.id === 'best-n')!.data as [number, number][];
    for (let k = 1; k < best.length; k++) assert.ok(best[k]![1] >= best[k - 1]![1]);
    // The report carries values to 10 significant digits.
    const top = round10(Math.max(...random.records.filter((t) => t.state === 'complete').map((t) => t.value!)));
    assert.equal(best[best.length - 1]![1], top);
  });

  test('a brush mask keeps only the masked trials', () => {
    const mask = new Uint8Array(random.model.n);
    mask[3] = 1;
    mask[4] = 1;
    assert.equal(chart(historyOption(random.model, mask)).points, 2);
  });
});

describe('learning curves', () => {
  test('a curve per trial that reported, rung budgets as vertical lines for a multi-fidelity study', () => {
    const reported = asha.records.filter((t) => t.epochs > 0).length;
    const r = chart(curvesOption(asha.model, null));
    assert.equal(r.points, reported);
    const marks = seriesOf(r).flatMap((s) => s.markLine?.data ?? []).map((d) => d.xAxis);
    assert.deepEqual(marks, [1, 3, 9]);
    // Pruned trials are drawn faded: as lines in their own series, or as dots when they trained one epoch.
    const lines = (seriesOf(r).find((s) => s.id === 'pruned/paused')!.data as { trial: number }[]).map((d) => d.trial);
    const dots = (seriesOf(r).find((s) => s.id === 'single-epoch')!.data as { value: number[] }[]).map((d) => d.value[2]!);
    const prunedNumbers = [...lines, ...dots].filter((i) => asha.model.states[i] === 'pruned').map((i) => asha.model.data.trials.number[i]);
    assert.deepEqual(prunedNumbers.sort((a, b) => a! - b!), asha.records.filter((t) => t.state === 'pruned').map((t) => t.number).sort((a, b) => a - b));
    assert.deepEqual(dots.map((i) => asha.model.data.trials.epochs[i]), dots.map(() => 1));
    const yAxis = chart(r).option.yAxis as { min: number; max: number };
    const values = asha.records.filter((t) => t.value !== null).map((t) => t.value!);
    assert.ok(yAxis.min <= Math.min(...values) && yAxis.max >= Math.max(...values), 'the value axis covers every curve');
  });

  test('the value axis covers the curves with a padded range whose ends print without float noise', () => {
    assert.deepEqual(valueAxisBounds(0.7665, 0.9445), { min: 0.757, max: 0.954 });
    for (const [lo, hi] of [[0.767, 0.9515], [0.1, 0.3], [-2.5, 7.25], [0.9, 0.9], [0, 0], [1e-5, 3e-5], [120, 4500]] as const) {
      const { min, max } = valueAxisBounds(lo, hi);
      assert.ok(min < lo && max > hi, `[${min}, ${max}] covers [${lo}, ${hi}]`);
      for (const end of [min, max]) assert.ok(String(end).replace(/^-|e.*$/g, '').replace('.', '').replace(/^0+/, '').length <= 12, `${end} prints without float noise`);
    }
  });

  test('floats are kept to 10 significant digits, integers exactly', () => {
    assert.equal(round10(0.123456789012345), 0.123456789);
    assert.equal(round10(1.2345678901234e-7), 1.23456789e-7);
    assert.equal(round10(123456789012), 123456789012);
    const lr = random.model.data.params.find((p) => p.name === 'learningRate')!;
    random.records.forEach((t, i) => assert.ok(Math.abs(lr.values[i]! / (t.params.learningRate as number) - 1) < 1e-9));
  });

  test('curves decode to the stored values (NaN kept) and pickCurves keeps the best ones under the cap', () => {
    const enc = encodeCurves([[0.5, Number.NaN], [], [0.25]]);
    const dec = decodeCurves(enc.values);
    assert.deepEqual(enc.offsets, [0, 2, 2, 3]);
    assert.equal(dec[0], 0.5);
    assert.ok(Number.isNaN(dec[1]!));
    assert.equal(dec[2], 0.25);
    const m = random.model;
    const all = Array.from({ length: m.n }, (_, i) => i).filter((i) => curveOf(m, i).length > 0);
    const picked = pickCurves(m, all, 10);
    assert.equal(picked.length, 10);
    assert.ok(picked.includes(m.best), 'the best trial is always drawn');
    assert.equal(pickCurves(m, all).length, Math.min(all.length, CURVE_CAP));
  });

  test('LTTB keeps the ends, returns the threshold count and keeps a lone peak', () => {
    const pts = Array.from({ length: 1000 }, (_, i) => [i, i === 500 ? 100 : Math.sin(i / 50)] as [number, number]);
    const out = lttb(pts, 50);
    assert.equal(out.length, 50);
    assert.deepEqual(out[0], pts[0]);
    assert.deepEqual(out[49], pts[999]);
    assert.ok(out.some(([x, y]) => x === 500 && y === 100));
  });
});

describe('parallel coordinates', () => {
  test('log axis for a log param, category axis with the choices for a categorical, one line per trial with a value', () => {
    const r = chart(parallelOption(random.model));
    const axes = (r.option as { parallelAxis: { name: string; type: string; data?: string[] }[] }).parallelAxis;
    assert.equal(axes.find((a) => a.name === 'learningRate')!.type, 'log');
    assert.equal(axes.find((a) => a.name === 'dropout')!.type, 'value');
    assert.deepEqual(axes.find((a) => a.name === 'optimizer')!.data, ['adam', 'sgd', 'rmsprop']);
    assert.equal(axes[axes.length - 1]!.name, 'val_accuracy');
    assert.equal(r.points, random.records.filter((t) => t.value !== null).length);
  });

  test('brushMask keeps the trials inside every brushed axis', () => {
    const m = random.model;
    const lr = m.data.params.findIndex((p) => p.name === 'learningRate');
    const opt = m.data.params.findIndex((p) => p.name === 'optimizer');
    const mask = brushMask(m, new Map([[`pa-${lr}`, [[1e-3, 1e-2] as const]], [`pa-${opt}`, [[0, 0] as const]]]))!;
    const expected = random.records.filter((t) => t.value !== null && (t.params.learningRate as number) >= 1e-3 && (t.params.learningRate as number) <= 1e-2 && t.params.optimizer === 'adam');
    assert.ok(expected.length > 0);
    assert.deepEqual(
      [...mask].flatMap((x, i) => (x === 1 ? [m.data.trials.number[i]] : [])),
      expected.map((t) => t.number).sort((a, b) => a - b),
    );
    assert.equal(brushMask(m, new Map([[`pa-${lr}`, []]])), null, 'a cleared brush filters nothing');
  });

  test('parallelLines holds each trial with a value once, bucketed from worst to best, with its param values per axis', () => {
    const m = random.model;
    const lines = parallelLines(m)!;
    const valued = random.records.filter((t) => t.value !== null);
    assert.equal(lines.rows.length, valued.length);
    assert.deepEqual([...lines.rows].map((i) => m.data.trials.number[i]).sort((a, b) => a! - b!), valued.map((t) => t.number).sort((a, b) => a - b));
    assert.equal(lines.bucketStart.length, COLOUR_BUCKETS + 1);
    assert.equal(lines.bucketStart[COLOUR_BUCKETS], lines.rows.length);
    assert.equal(lines.colours.length, COLOUR_BUCKETS);
    assert.equal(lines.columns.length, m.data.params.length + 1);
    // The study maximizes: along `rows`, values never get worse from one bucket to the next.
    const value = lines.columns[m.data.params.length]!;
    for (let b = 0; b + 1 < COLOUR_BUCKETS; b++) {
      const here = value.slice(lines.bucketStart[b], lines.bucketStart[b + 1]);
      const later = value.slice(lines.bucketStart[b + 1]);
      if (here.length > 0 && later.length > 0) assert.ok(Math.max(...here) <= Math.min(...later), `bucket ${b}`);
    }
    const byNumber = new Map(random.records.map((t) => [t.number, t]));
    const lr = m.data.params.findIndex((p) => p.name === 'learningRate');
    const opt = m.data.params.findIndex((p) => p.name === 'optimizer');
    lines.rows.forEach((i, r) => {
      const t = byNumber.get(m.data.trials.number[i]!)!;
      assert.equal(value[r], round10(t.value!));
      assert.equal(lines.columns[lr]![r], round10(t.params.learningRate as number));
      assert.equal(m.data.params[opt]!.choices![lines.columns[opt]![r]!], t.params.optimizer);
    });
    assert.equal(parallelLines(empty.model), null);
  });

  test('niceRange widens to a 1-2-5 step, as the objective axis shows it', () => {
    assert.deepEqual(niceRange(0.13, 0.96), [0, 1]);
    assert.deepEqual(niceRange(0.2822, 0.8707), [0.2, 1]);
    assert.deepEqual(niceRange(-3.2, 41), [-10, 50]);
  });
});

describe('slices, contour, importance', () => {
  test('one scatter per param with a point per trial with a value', () => {
    const r = chart(slicesOption(random.model, null));
    const withValue = random.records.filter((t) => t.value !== null).length;
    assert.equal(seriesOf(r).length, random.model.data.params.length);
    for (const s of seriesOf(r)) assert.equal(s.data!.length, withValue);
    const xAxes = (r.option as { xAxis: { type: string; name: string }[] }).xAxis;
    assert.equal(xAxes.find((a) => a.name === 'learningRate')!.type, 'log');
    assert.equal(xAxes.find((a) => a.name === 'optimizer')!.type, 'category');
  });

  test('each contour cell holds the best value of its trials; the top two importance params are plotted', () => {
    const r = chart(contourOption(random.model, null));
    const cells = seriesOf(r)[0]!.data as [number, number, number][];
    const values = random.records.filter((t) => t.value !== null).map((t) => round10(t.value!));
    assert.equal(Math.max(...cells.map((c) => c[2])), Math.max(...values));
    assert.ok(cells.length <= values.length);
    const withImportance = buildModel({
      ...random.model.data,
      importance: { trials: 50, note: null, estimates: [{ method: 'ped-anova', label: 'PED-ANOVA', importances: { learningRate: 0.1, units: 0.5, dropout: 0.3, optimizer: 0.1 } }] },
    });
    assert.deepEqual(contourParams(withImportance)!.params.map((p) => p.name), ['units', 'dropout']);
    const imp = chart(importanceOption(withImportance));
    assert.equal(imp.points, 4);
  });
});

describe('importance in the report data', () => {
  test('both estimators rank learningRate, the param the seeded objective mostly depends on, first', () => {
    const imp = random.model.data.importance!;
    assert.deepEqual(imp.estimates.map((e) => e.method), ['ped-anova', 'fanova']);
    assert.equal(imp.trials, random.records.filter((t) => (t.state === 'complete' || t.state === 'pruned') && t.value !== null).length);
    for (const e of imp.estimates) {
      const ranked = Object.entries(e.importances).sort((a, b) => b[1] - a[1]);
      assert.equal(ranked[0]![0], 'learningRate', `${e.method}: ${JSON.stringify(e.importances)}`);
    }
    assert.deepEqual(contourParams(random.model)!.params[0].name, 'learningRate');
    assert.equal(empty.model.data.importance!.estimates.length, 0);
    assert.match(empty.model.data.importance!.note!, /at least 10/);
  });
});

describe('multi-fidelity and timeline', () => {
  test('each rung counts the trials that reached it, split into promoted and pruned', () => {
    const rows = rungRows(asha.model);
    assert.deepEqual(rows.map((r) => r.budget), [1, 3, 9]);
    for (const row of rows) {
      const reached = asha.records.filter((t) => (t.rung ?? 0) >= row.rung);
      assert.equal(row.reached, reached.length);
      assert.equal(row.counts.promoted, reached.filter((t) => t.rung! > row.rung).length);
      assert.equal(row.counts.pruned, reached.filter((t) => t.rung === row.rung && t.state === 'pruned').length);
    }
    assert.equal(chart(fidelityOption(asha.model)).points, 3);
    assert.equal(fidelityOption(random.model).kind, 'empty');
  });

  test('Hyperband: each bracket has its own ladder (Li et al. 2018, R = 9, η = 3), and rungs are counted per bracket', async () => {
    const storage = openStorage(':memory:');
    try {
      const space = { ...seedSpace('hb', 'random', 9, 10), strategy: { type: 'hyperband' as const, iterations: 1, eta: 3, minEpochs: 1, maxEpochs: 9 } };
      const study = await storage.openStudy({ name: 'hb', space: {}, direction: 'maximize', metric: 'val_accuracy', strategy: 'hyperband', seed: 1 });
      await storage.setStudyDefinition(study.id, space);
      const params = { learningRate: 0.01, units: 8, dropout: 0.1, optimizer: 'adam' };
      // Bracket 1 (s = 1) starts at 3 epochs; one trial promoted from its rung 0 to rung 1 (9 epochs), one pruned at rung 0.
      const a = await storage.createTrial(study.id, { params, budget: 3, rung: 0, bracket: 1, seed: 1 });
      const b = await storage.createTrial(study.id, { params, budget: 3, rung: 0, bracket: 1, seed: 2 });
      for (const t of [a, b]) {
        await storage.claimTrial(t.id, 'w:1');
        for (let e = 1; e <= 3; e++) await storage.report(t.id, e, { val_accuracy: 0.1 * e + (t === a ? 0.05 : 0) }, 0.1 * e + (t === a ? 0.05 : 0));
        await storage.finishTrial(t.id, { state: 'paused', epochs: 3 });
      }
      await storage.finishTrial(b.id, { state: 'pruned', epochs: 3 });
      await storage.promoteTrial(a.id, 9, 1);
      const data = await loadReportData(storage, (await storage.getStudy('hb'))!);
      assert.deepEqual(data.fidelity, { budgets: [1, 3, 9], brackets: [[1, 3, 9], [3, 9], [9]] });
      const rows = rungRows(buildModel(data));
      assert.deepEqual(rows.map((r) => [r.bracket, r.rung, r.budget, r.reached, r.counts.promoted, r.counts.pruned, r.counts['in progress']]), [
        [1, 0, 3, 2, 1, 1, 0],
        [1, 1, 9, 1, 0, 0, 1],
      ]);
    } finally {
      await storage.close();
    }
  });

  test('timeline bars never overlap within a lane, and four slots give four lanes', () => {
    const { bars, lanes } = timelineBars(random.model, null);
    assert.equal(bars.length, random.records.filter((t) => t.startedAt !== null).length);
    assert.equal(lanes.length, 4);
    for (let l = 0; l < lanes.length; l++) {
      const mine = bars.filter((b) => b.lane === l).sort((a, b) => a.start - b.start);
      for (let k = 1; k < mine.length; k++) assert.ok(mine[k]!.start >= mine[k - 1]!.end);
    }
    assert.equal(chart(timelineOption(random.model, null)).points, bars.length);
  });
});

describe('summary and table', () => {
  test('the summary counts states, failures by kind and epochs; the table sorts, filters and writes CSV', () => {
    const facts = summaryFacts(random.model);
    for (const s of ['complete', 'failed', 'running', 'waiting'] as const) assert.equal(facts.byState[s], random.records.filter((t) => t.state === s).length);
    const failedByKind = random.records.filter((t) => t.state === 'failed').reduce<Record<string, number>>((acc, t) => ({ ...acc, [t.error!.kind]: (acc[t.error!.kind] ?? 0) + 1 }), {});
    assert.deepEqual(facts.failures, failedByKind);
    assert.equal(facts.totalEpochs, random.records.reduce((s, t) => s + t.epochs, 0));
    assert.match(summaryHtml(random.model), new RegExp(`Best trial: #${random.model.data.trials.number[random.model.best]}`));

    const cols = tableColumns(random.model);
    const all = tableRows(random.model, cols, { sortKey: 'value', descending: true, states: new Set(['complete']) }, null);
    assert.equal(all.length, random.records.filter((t) => t.state === 'complete').length);
    const vals = all.map((i) => random.model.data.trials.value[i]!);
    assert.deepEqual(vals, [...vals].sort((a, b) => b - a));
    const csv = toCsv(random.model, cols, all).trimEnd().split('\n');
    assert.equal(csv.length, all.length + 1);
    assert.equal(csv[0], ['number', 'state', 'value', 'epochs', 'rung', ...random.model.data.params.map((p) => p.name), 'duration', 'error'].join(','));
    const lr = random.model.data.params.find((p) => p.name === 'learningRate')!;
    assert.ok(csv[1]!.includes(String(lr.values[all[0]!])), 'full-precision param values');
  });

  test('a study with no finished trials gives empty states, not charts', () => {
    for (const r of [historyOption(empty.model, null), curvesOption(empty.model, null), parallelOption(empty.model), slicesOption(empty.model, null), contourOption(empty.model, null), timelineOption(empty.model, null), importanceOption(empty.model)]) {
      assert.equal(r.kind, 'empty');
      assert.ok((r as { message: string }).message.length > 10);
    }
    assert.match(summaryHtml(empty.model), /No trial has finished/);
  });
});

