import type { ObservationStore } from './observations.js';

/**
 * Splitting the observations into the good set (the kernels of l) and the bad set (the kernels of g), by rank:
 * the top n_good = min(⌈γ·n⌉, 25) of the n observations are good (Bergstra et al. 2011 §4; the cap of 25 is
 * Hyperopt's and Optuna's, kept in Watanabe 2023's splitting algorithms, and keeps l sharp late in a long study). Without a
 * budget, ranks go as Optuna's TPE ranks them (`_split_trials`): complete trials first, by signed value; then pruned ones
 * (a pruner stopped them), by the epoch they reached, deeper first, then by their value there (its last report); ties go
 * to the earlier trial. Pruned trials thus count towards n and may be good only when there are too few complete ones.
 * Failed trials and trials in flight (a constant liar, Ginsbourger et al. 2010, as Optuna's `constant_liar`) join
 * the bad set without counting towards n, so a config being trained is not proposed again by another worker.
 */
export const MAX_GOOD = 25;

export interface Split {
  /** Store rows of the good set, ascending. */
  readonly good: Int32Array;
  /** Store rows of the other observations, ascending. */
  readonly bad: Int32Array;
  /** Rows of failed trials and trials in flight, ascending: the bad set's kernels besides `bad`. */
  readonly extra: Int32Array;
  /** Rows of trials in flight (also in `extra`): a candidate equal to one of them is passed over. */
  readonly active: Int32Array;
  /** n: observations with a value. */
  readonly observed: number;
}

export function goodCount(n: number, gamma: number): number {
  return Math.min(MAX_GOOD, Math.max(1, Math.ceil(gamma * n)));
}

/**
 * Splits at `budget` (each trial's signed value there; multi-fidelity models), or, without one, at the furthest
 * epoch each trial reached (plain TPE). O(n·k) with k ≤ 25 and no allocation per observation.
 */
export function split(store: ObservationStore, gamma: number, budget?: number): Split {
  const list = store.list;
  const m = list.length;
  const role = new Uint8Array(m); // 1 observed, 2 failed or in flight, 3 good
  const level = new Float64Array(m);
  const score = new Float64Array(m);
  let n = 0;
  let active = 0;
  for (let k = 0; k < m; k++) {
    const o = list[k]!;
    if (o.row < 0) continue;
    const v = budget === undefined ? undefined : o.atBudget.get(budget);
    if (budget === undefined ? o.role === 'observed' : v !== undefined) {
      role[k] = 1;
      // A complete trial outranks every pruned one whatever its epochs (a told ask/tell trial may stop short).
      level[k] = budget ?? (o.trial.state === 'complete' ? Number.POSITIVE_INFINITY : o.level);
      score[k] = v ?? o.score;
      n++;
    } else if (o.role === 'failed' || o.role === 'active') {
      role[k] = 2;
      if (o.role === 'active') active++;
    }
  }
  // Top k by insertion into a short sorted list. `list` is in trial-number order, so a tie keeps the earlier trial.
  const want = goodCount(n, gamma);
  const top: number[] = [];
  for (let k = 0; k < m; k++) {
    if (role[k] !== 1) continue;
    let pos = top.length;
    while (pos > 0) {
      const t = top[pos - 1]!;
      if (level[k]! < level[t]! || (level[k] === level[t] && !(score[k]! > score[t]!))) break;
      pos--;
    }
    if (pos < want) {
      top.splice(pos, 0, k);
      if (top.length > want) top.pop();
    }
  }
  for (const k of top) role[k] = 3;
  const good = new Int32Array(top.length);
  const bad = new Int32Array(n - top.length);
  const extra = new Int32Array(m);
  const inFlight = new Int32Array(active);
  let g = 0;
  let b = 0;
  let x = 0;
  let a = 0;
  for (let k = 0; k < m; k++) {
    const row = list[k]!.row;
    if (role[k] === 3) good[g++] = row;
    else if (role[k] === 1) bad[b++] = row;
    else if (role[k] === 2) {
      extra[x++] = row;
      if (list[k]!.role === 'active') inFlight[a++] = row;
    }
  }
  return { good, bad, extra: extra.subarray(0, x), active: inFlight, observed: n };
}
