import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFidelityStrategy, maxRung, rungBudgets, type FidelitySpec, type StrategySpec } from '../../src/space/index.js';

const spec = (eta: number, minEpochs: number, maxEpochs: number): FidelitySpec => ({ eta, minEpochs, maxEpochs });

describe('rungBudgets', () => {
  const ladders: [FidelitySpec, number[]][] = [
    // maxEpochs / minEpochs a power of eta: the bottom rung is exactly minEpochs.
    [spec(3, 1, 9), [1, 3, 9]],
    [spec(3, 1, 27), [1, 3, 9, 27]],
    [spec(3, 1, 81), [1, 3, 9, 27, 81]],
    [spec(3, 1, 243), [1, 3, 9, 27, 81, 243]],
    [spec(2, 1, 8), [1, 2, 4, 8]],
    [spec(2, 1, 64), [1, 2, 4, 8, 16, 32, 64]],
    [spec(4, 1, 64), [1, 4, 16, 64]],
    [spec(3, 2, 18), [2, 6, 18]],
    // Math.log(1000) / Math.log(10) is 2.9999999999999996, so a floor of the log ratio would give K = 2.
    [spec(10, 1, 1000), [1, 10, 100, 1000]],
    [spec(10, 1, 1_000_000), [1, 10, 100, 1000, 10_000, 100_000, 1_000_000]],
    [spec(5, 1, 125), [1, 5, 25, 125]],
    // Not a power: anchored at the top, rounded to the nearest integer, halves up.
    [spec(2, 2, 20), [3, 5, 10, 20]], // K = floor(log2 10) = 3; 20/8 = 2.5 → 3
    [spec(3, 1, 10), [1, 3, 10]], // 10/9 = 1.11 → 1, 10/3 = 3.33 → 3
    [spec(3, 1, 26), [3, 9, 26]], // K = floor(log_3 26) = 2; 26/9 = 2.89 → 3, 26/3 = 8.67 → 9
    [spec(2, 1, 5), [1, 3, 5]], // 5/4 = 1.25 → 1, 5/2 = 2.5 → 3
    [spec(3, 4, 20), [7, 20]], // K = floor(log_3 5) = 1; 20/3 = 6.67 → 7
    [spec(2, 1, 3), [2, 3]], // 3/2 = 1.5 → 2: a tie rounds up
    // Exactly two rungs at the smallest allowed ratio.
    [spec(3, 1, 3), [1, 3]],
    [spec(2, 5, 10), [5, 10]],
  ];
  for (const [s, expected] of ladders) {
    it(`eta ${s.eta}, ${s.minEpochs}..${s.maxEpochs} → [${expected.join(', ')}]`, () => {
      assert.deepEqual(rungBudgets(s), expected);
      assert.equal(maxRung(s), expected.length - 1);
    });
  }

  it('is strictly increasing, tops out at maxEpochs, starts in [minEpochs, minEpochs * eta] for every valid integer spec', () => {
    for (let eta = 2; eta <= 5; eta++) {
      for (let min = 1; min <= 6; min++) {
        for (let max = min * eta; max <= 300; max++) {
          const b = rungBudgets(spec(eta, min, max));
          const where = `eta ${eta}, ${min}..${max}: [${b.join(', ')}]`;
          assert.equal(b[b.length - 1], max, where);
          // The exact bottom budget lies in [min, min * eta); rounding half up can lift it to min * eta (eta 2, 1..3 → [2, 3]).
          assert.ok(b[0]! >= min && b[0]! <= min * eta, where);
          for (let k = 1; k < b.length; k++) assert.ok(b[k]! > b[k - 1]!, where);
          // K = floor(log_eta(max / min)), computed in exact integer arithmetic.
          let K = 0;
          while (min * eta ** (K + 1) <= max) K++;
          assert.equal(b.length, K + 1, where);
          assert.ok(b.every(Number.isInteger), where);
        }
      }
    }
  });

  it('merges rungs that round to the same budget (only possible for eta < 2)', () => {
    const b = rungBudgets(spec(1.1, 1, 2));
    assert.equal(b[b.length - 1], 2);
    assert.deepEqual(b, [1, 2]);
  });

  it('refuses a spec that has no ladder', () => {
    assert.throws(() => rungBudgets(spec(1, 1, 9)), RangeError);
    assert.throws(() => rungBudgets(spec(Number.NaN, 1, 9)), RangeError);
    assert.throws(() => rungBudgets(spec(3, 0, 9)), RangeError);
    assert.throws(() => rungBudgets(spec(3, 9, 3)), RangeError);
  });
});

describe('isFidelityStrategy', () => {
  it('is true exactly for the multi-fidelity strategies', () => {
    const specs: [StrategySpec, boolean][] = [
      [{ type: 'random', trials: 3 }, false],
      [{ type: 'grid' }, false],
      [{ type: 'successive-halving', eta: 3, minEpochs: 1, maxEpochs: 9 }, true],
      [{ type: 'hyperband', eta: 3, minEpochs: 1, maxEpochs: 9, iterations: 1 }, true],
      [{ type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 5 }, true],
    ];
    for (const [s, expected] of specs) assert.equal(isFidelityStrategy(s), expected, s.type);
  });
});
