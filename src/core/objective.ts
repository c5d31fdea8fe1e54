/**
 * Which epoch's value is a trial's value (`objective.reduce`), and which metric breaks ties between equal values.
 * Plain rules on plain data, shared by the engine (a trial's value), the workers (which weights to keep) and
 * storage (the leaderboard's tie-break).
 */
import type { Direction } from './types.js';

/** `last`: the value at the last epoch trained (the default). `best`: the best epoch's value (Keras Tuner's default). */
export const REDUCES = ['last', 'best'] as const;
export type Reduce = (typeof REDUCES)[number];

/** Whether `a` is strictly better than `b` in `direction`; NaN is never better, anything finite beats NaN. */
export function isBetter(a: number, b: number | undefined, direction: Direction): boolean {
  if (Number.isNaN(a)) return false;
  if (b === undefined || Number.isNaN(b)) return true;
  return direction === 'maximize' ? a > b : a < b;
}

/**
 * A trial's value after `epochs` epochs of the objective `curve` (`curve[e - 1]` is epoch e): the value at epoch
 * `epochs` for `last`; for `best` the best value of epochs 1..`epochs` (the earliest of equal ones), NaN epochs
 * passed over. Undefined when the curve has no value at or before `epochs`.
 */
export function reduceCurve(curve: readonly number[], epochs: number, reduce: Reduce, direction: Direction): number | undefined {
  const upTo = Math.min(epochs, curve.length);
  if (upTo < 1) return undefined;
  if (reduce === 'last') return epochs <= curve.length ? curve[epochs - 1] : undefined;
  let best: number | undefined;
  for (let e = 0; e < upTo; e++) if (isBetter(curve[e]!, best, direction)) best = curve[e]!;
  return best ?? curve[upTo - 1];
}

/**
 * The metric that breaks ties between trials of equal value: for an accuracy metric (a name ending in `accuracy`
 * or `acc`) the loss of the same split (`val_accuracy` → `val_loss`, `accuracy` → `loss`), lower is better.
 * Other metrics (losses, a task module's own names) have none: their ties go by trial number.
 */
export function tieBreakMetric(metric: string): string | null {
  const m = /^(.*?)(accuracy|acc)$/.exec(metric);
  return m === null ? null : `${m[1]}loss`;
}

/** The reduce of a stored study's space (`StudyRecord.space`, as `studySpec` writes it); `last` when it says none. */
export function storedReduce(space: unknown): Reduce {
  const objective = (space as { signature?: { objective?: { reduce?: unknown } } } | null)?.signature?.objective;
  return objective?.reduce === 'best' ? 'best' : 'last';
}
