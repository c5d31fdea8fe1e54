/** Node-side tests of what a live update hands ECharts (option-delta.ts) and of the learning curves' stable sample. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { optionDelta, same, StableFunctions } from '../../src/report/client/option-delta.js';
import { axisEnd } from '../../src/report/client/charts/timeline.js';
import { pickCurves } from '../../src/report/client/charts/curves.js';
import type { Model } from '../../src/report/client/model.js';

const option = (running: number[][], xMax = 10, fmt: () => string = () => 'a') => ({
  animation: false,
  tooltip: { formatter: fmt },
  xAxis: { type: 'value', max: xMax },
  series: [
    { id: 'complete', type: 'scatter', data: [[1, 2], [2, 3]] },
    { id: 'running', type: 'scatter', data: running },
  ],
});

describe('optionDelta', () => {
  test('an unchanged rebuild is "same" once functions are stable; the trampoline calls the newest closure', () => {
    const fns = new StableFunctions();
    const a = fns.apply(option([[3, 1]], 10, () => 'old'));
    const b = fns.apply(option([[3, 1]], 10, () => 'new'));
    assert.equal(a.tooltip.formatter, b.tooltip.formatter);
    assert.deepEqual(optionDelta(a, b), { kind: 'same' });
    assert.equal(a.tooltip.formatter(), 'new');
  });

  test('a changed series sends only that series (its data) and the changed components', () => {
    const fns = new StableFunctions();
    const a = fns.apply(option([[3, 1]]));
    const b = fns.apply(option([[3, 1], [4, 2]], 12));
    const d = optionDelta(a, b);
    assert.equal(d.kind, 'merge');
    if (d.kind !== 'merge') return;
    assert.deepEqual(d.option, { xAxis: { type: 'value', max: 12 }, series: [{ id: 'running', data: [[3, 1], [4, 2]] }] });
    assert.equal(d.series, 1);
  });

  test('a structural change needs a full redraw: a series added, restyled, or a component losing a key', () => {
    const fns = new StableFunctions();
    const a = fns.apply(option([[3, 1]]));
    const added = fns.apply({ ...option([[3, 1]]), series: [...option([]).series, { id: 'best', type: 'line', data: [] }] });
    assert.equal(optionDelta(a, added).kind, 'full');
    const restyled = fns.apply(option([[3, 1]]));
    (restyled.series[1] as Record<string, unknown>).symbolSize = 8;
    assert.equal(optionDelta(a, restyled).kind, 'full');
    const lost = fns.apply({ ...option([[3, 1]]), xAxis: { type: 'value' } });
    assert.equal(optionDelta(a, lost).kind, 'full');
    assert.equal(optionDelta(null, a).kind, 'full');
  });

  test('same() compares deeply, NaN equal to NaN, arrays and objects apart', () => {
    assert.ok(same({ a: [1, Number.NaN, { b: 2 }] }, { a: [1, Number.NaN, { b: 2 }] }));
    assert.ok(!same({ a: [1, 2] }, { a: [1, 3] }));
    assert.ok(!same([], {}));
    assert.ok(!same({ a: 1 }, { a: 1, b: undefined }));
  });
});

describe('live-friendly axes and samples', () => {
  test('the timeline axis ends at two significant digits above the last bar', () => {
    assert.equal(axisEnd(523.4), 530);
    assert.equal(axisEnd(0.0123), 0.013);
    assert.equal(axisEnd(90), 90);
    assert.equal(axisEnd(0), 1);
    for (const x of [1.5, 77.7, 12345]) assert.ok(axisEnd(x) >= x && axisEnd(x) <= x * 1.1);
  });

  test('the curves sample is stable: a new trial changes at most one picked curve besides its own', () => {
    const n = 1000;
    const model = (count: number): Model => ({
      n: count, sign: 1, withValue: count,
      data: { trials: { number: Array.from({ length: count }, (_, i) => i), value: Array.from({ length: count }, (_, i) => (i * 37) % 101) } },
    }) as unknown as Model;
    const all = (count: number) => Array.from({ length: count }, (_, i) => i);
    const a = new Set(pickCurves(model(n), all(n), 300));
    const b = new Set(pickCurves(model(n + 1), all(n + 1), 300));
    assert.equal(a.size, 300);
    assert.equal(b.size, 300);
    const gone = [...a].filter((i) => !b.has(i));
    const added = [...b].filter((i) => !a.has(i) && i !== n);
    assert.ok(gone.length <= 1 && added.length === 0, `gone ${gone.join()} added ${added.join()}`);
  });
});
