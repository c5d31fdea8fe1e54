import type { Direction, TrialRecord } from '../core/types.js';

/** +1 to maximise, -1 to minimise: the sign that turns a raw value into "higher is better". */
export function directionSign(direction: Direction): 1 | -1 {
  return direction === 'maximize' ? 1 : -1;
}

/** The best complete trial with a finite value, or null. */
export function bestTrial(trials: Iterable<TrialRecord>, direction: Direction): TrialRecord | null {
  const sign = directionSign(direction);
  let best: TrialRecord | null = null;
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === null || !Number.isFinite(t.value)) continue;
    if (best === null || sign * t.value > sign * best.value!) best = t;
  }
  return best;
}
