import seedrandom from 'seedrandom';

/** A seeded uniform [0, 1) generator. Nothing in tune calls Math.random. */
export type Rng = () => number;

export function createRng(seed: number | string): Rng {
  const prng = seedrandom(String(seed));
  return () => prng.quick();
}

/** Derived seeds, remembered: a tuner offering a window of trial numbers derives the same ones trial after trial. */
const derived = new Map<string, number>();
const DERIVED_KEPT = 4096;

/** A 32-bit seed derived from a study seed and a sub-stream index (e.g. the trial number), stable across runs. */
export function deriveSeed(seed: number, stream: number | string): number {
  const key = `${seed}/${stream}`;
  let value = derived.get(key);
  if (value === undefined) {
    value = Math.floor(seedrandom(key).quick() * 0x7fffffff);
    if (derived.size >= DERIVED_KEPT) derived.delete(derived.keys().next().value!);
    derived.set(key, value);
  }
  return value;
}

/** Fisher–Yates shuffle of `0..n-1` in place into a new Int32Array. */
export function shuffledIndices(n: number, rng: Rng): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx;
}
