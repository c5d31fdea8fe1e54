import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { makeBlocks, setCoord } from '../../src/strategies/tpe/blocks.js';
import { Encoding } from '../../src/strategies/tpe/encoding.js';
import { erfc, normalCdf, normalQuantile } from '../../src/strategies/tpe/normal.js';
import { ParzenEstimator } from '../../src/strategies/tpe/parzen.js';

/** An estimator over observations given as rows of [real coordinates..., categorical indices...]. */
function estimator(rows: number[][], realDims: number, catSizes: number[], sigma: number, multivariate: boolean): ParzenEstimator {
  const reals = makeBlocks(realDims, rows.length);
  rows.forEach((r, i) => r.slice(0, realDims).forEach((v, j) => setCoord(reals, i, j, v)));
  const cats = catSizes.map((_, c) => Int32Array.from(rows, (r) => r[realDims + c]!));
  return new ParzenEstimator({ reals, realDims, cats, catSizes, count: rows.length, sigma, priorWeight: 1, multivariate });
}

/** ∫ over [0, 1]^dims of exp(logPdf), by the midpoint rule on a grid of `cells` per dimension, summed over categories. */
function integrate(est: ParzenEstimator, realDims: number, catSizes: number[], cells: number): number {
  const point = new Float64Array(realDims + catSizes.length);
  let total = 0;
  const visit = (j: number, weight: number): void => {
    if (j === realDims + catSizes.length) {
      total += weight * Math.exp(est.logPdf(point));
      return;
    }
    if (j < realDims) {
      for (let k = 0; k < cells; k++) {
        point[j] = (k + 0.5) / cells;
        visit(j + 1, weight / cells);
      }
    } else {
      for (let k = 0; k < catSizes[j - realDims]!; k++) {
        point[j] = k;
        visit(j + 1, weight);
      }
    }
  };
  visit(0, 1);
  return total;
}

describe('normal distribution helpers', () => {
  it('erfc and Φ match known values; Φ⁻¹ inverts Φ', () => {
    assert.ok(Math.abs(erfc(0) - 1) < 1e-7);
    assert.ok(Math.abs(erfc(1) - 0.157299207050285) < 1e-7);
    assert.ok(Math.abs(normalCdf(1.959963984540054) - 0.975) < 1e-7);
    assert.ok(Math.abs(normalCdf(-3) - 0.0013498980316301) / 0.00135 < 1e-6);
    for (const p of [1e-9, 1e-4, 0.02, 0.3, 0.5, 0.77, 0.999, 1 - 1e-7]) {
      assert.ok(Math.abs(normalCdf(normalQuantile(p)) - p) <= 1e-7 * Math.max(p, 1e-2), String(p));
    }
  });
});

describe('Parzen estimator: the density integrates to 1', () => {
  const edges = [[0.02], [0.5], [0.97], [0.31]];
  for (const sigma of [0.01, 0.08, 0.5, 1]) {
    it(`one bounded real coordinate, σ = ${sigma}, kernels at the edges included`, () => {
      const total = integrate(estimator(edges, 1, [], sigma, true), 1, [], 20000);
      assert.ok(Math.abs(total - 1) < 1e-5, `∫ = ${total}`);
    });
  }

  for (const multivariate of [true, false]) {
    it(`two real coordinates and a categorical one, ${multivariate ? 'multivariate' : 'univariate'}`, () => {
      const rows = [[0.1, 0.9, 0], [0.5, 0.5, 2], [0.95, 0.02, 2], [0.4, 0.45, 1]];
      const total = integrate(estimator(rows, 2, [3], 0.07, multivariate), 2, [3], 400);
      assert.ok(Math.abs(total - 1) < 1e-4, `∫ = ${total}`);
    });
  }

  it('a log-scale param: over the param\'s own values, with the Jacobian of x ↦ log x', () => {
    const min = 1e-4;
    const max = 1e-1;
    const enc = new Encoding({ learningRate: { type: 'float', min, max, log: true } });
    const unit = (x: number) => {
      const out = new Float64Array(1);
      assert.ok(enc.encode({ learningRate: x }, out, 0));
      return out[0]!;
    };
    const est = estimator([[unit(2e-4)], [unit(0.003)], [unit(0.09)]], 1, [], 0.05, true);
    // p_x(x) = p_u(u(x)) · du/dx, u = (ln x − ln min) / ln(max/min); integrate on a log grid (dx = x · d ln x).
    const cells = 20000;
    const span = Math.log(max / min);
    let total = 0;
    for (let k = 0; k < cells; k++) {
      const x = min * Math.exp(((k + 0.5) / cells) * span);
      const density = Math.exp(est.logPdf(Float64Array.of(unit(x)))) / (x * span);
      total += density * x * (span / cells);
    }
    assert.ok(Math.abs(total - 1) < 1e-5, `∫ = ${total}`);
  });

  it('with no observations it is the prior alone', () => {
    const total = integrate(estimator([], 2, [4], 0.2, true), 2, [4], 300);
    assert.ok(Math.abs(total - 1) < 1e-4, `∫ = ${total}`);
  });
});

describe('Parzen estimator: sampling', () => {
  it('draws stay in [0, 1] and on legal category indices, and follow the kernels', () => {
    const est = estimator([[0.2, 1], [0.25, 1], [0.8, 0]], 1, [3], 0.05, true);
    const rng = createRng('parzen-sample');
    const out = new Float64Array(2);
    let near = 0;
    for (let i = 0; i < 4000; i++) {
      est.sample(rng, out);
      assert.ok(out[0]! >= 0 && out[0]! <= 1);
      assert.ok([0, 1, 2].includes(out[1]!));
      if (Math.abs(out[0]! - 0.225) < 0.15) near++;
    }
    // Two of the four kernels (three observations and the prior) sit around 0.225.
    assert.ok(near / 4000 > 0.45 && near / 4000 < 0.65, String(near / 4000));
  });
});
