/**
 * `pickCurves` (a bounded best list and one packed numeric sort, for speed) picks exactly what its definition says:
 * the BEST_CURVES best by value (ties in candidate order), then the lowest trial-number hashes (ties by index).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { BEST_CURVES, pickCurves } from '../../src/report/client/charts/curves.js';
import type { Model } from '../../src/report/client/model.js';

function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The definition, as plain sorts. */
function reference(value: readonly (number | null)[], number: readonly number[], sign: number, candidates: readonly number[], cap: number): number[] {
  if (candidates.length <= cap) return [...candidates];
  const ranked = candidates.filter((i) => value[i] !== null).sort((a, b) => sign * (value[b]! - value[a]!));
  const chosen = new Set(ranked.slice(0, Math.min(BEST_CURVES, cap)));
  const rest = candidates.filter((i) => !chosen.has(i)).sort((a, b) => mix32(number[a]!) - mix32(number[b]!) || a - b);
  for (const i of rest.slice(0, cap - chosen.size)) chosen.add(i);
  return [...chosen].sort((a, b) => a - b);
}

test('pickCurves equals its definition, with ties, nulls and either direction', () => {
  const rng = createRng(3);
  for (const [n, cap, sign] of [[500, 150, 1], [3000, 2000, -1], [800, 60, 1], [120, 200, -1]] as const) {
    // Values on a coarse grid, so many tie; a fifth without a value.
    const value = Array.from({ length: n }, () => (rng() < 0.2 ? null : Math.round(rng() * 20) / 20));
    const number = Array.from({ length: n }, (_, i) => i * 3 + 1);
    const model = { sign, n, data: { trials: { value, number } } } as unknown as Model;
    const candidates = Array.from({ length: n }, (_, i) => i).filter(() => rng() < 0.9);
    assert.deepEqual(pickCurves(model, candidates, cap), reference(value, number, sign, candidates, cap), `n=${n} cap=${cap} sign=${sign}`);
  }
});
