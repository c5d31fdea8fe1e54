/**
 * Replays a pruner over the curves of a sweep that ran without one: random search draws the same configs with
 * the same trial seeds whether or not a pruner runs, and training is seeded, so a pruned trial's curve is a prefix
 * of its unpruned one. The replay runs the real pruner (strategies/pruners) one trial after another, as one worker
 * would, and says where each trial would have stopped. Exact for one worker; with several, which trials are
 * running at a decision depends on timing. Cheap: it lets the benchmark compare pruner settings without training.
 */
import type { TrialRecord } from '../../../src/core/types.js';
import type { PrunerSpec } from '../../../src/space/types.js';
import { createPruner } from '../../../src/strategies/index.js';
import type { StrategyContext } from '../../../src/strategies/types.js';

export interface ReplayTrial {
  readonly number: number;
  readonly budget: number;
  /** Its objective values at epochs 1, 2, … as the unpruned run stored them. */
  readonly curve: readonly number[];
  /** Its state in the unpruned run: complete, or failed (which a pruner can't change). */
  readonly state: string;
}

export interface ReplayResult {
  readonly epochs: number;
  readonly pruned: number;
  /** The best value of a complete trial, signed back to raw. */
  readonly best: number | null;
  readonly stoppedAt: readonly (number | null)[];
}

export function replayPruner(trials: readonly ReplayTrial[], spec: PrunerSpec, sign: 1 | -1): ReplayResult {
  const pruner = createPruner(spec);
  const records: TrialRecord[] = [];
  const curves = new Map<number, number[]>();
  const stoppedAt: (number | null)[] = [];
  let epochs = 0;
  let pruned = 0;
  let best: number | null = null;
  for (const t of trials) {
    const id = t.number + 1;
    const curve: number[] = [];
    curves.set(id, curve);
    const base: TrialRecord = {
      id, studyId: 1, number: t.number, state: 'running', params: {}, budget: t.budget, rung: null, bracket: null, seed: 0, value: null, epochs: 0,
      error: null, checkpoint: null, worker: null, attempts: 0, createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
    };
    records.push(base);
    const ctx: StrategyContext = { trials: records, sign, maxTrials: trials.length, valueAt: (tid, e) => curves.get(tid)?.[e - 1] };
    let stop: number | null = null;
    for (let e = 1; e <= t.curve.length; e++) {
      curve.push(t.curve[e - 1]!);
      const now: TrialRecord = { ...base, epochs: e, value: t.curve[e - 1]! };
      records[records.length - 1] = now;
      // As PrunedStrategy: a trial at its budget completes.
      if (e < t.budget && t.state !== 'failed' && pruner.shouldPrune(ctx, now, e)) {
        stop = e;
        break;
      }
    }
    const last = records[records.length - 1]!;
    const state = t.state === 'failed' ? 'failed' : stop !== null ? 'pruned' : 'complete';
    records[records.length - 1] = { ...last, state };
    epochs += last.epochs;
    if (state === 'pruned') pruned++;
    if (state === 'complete' && last.value !== null && Number.isFinite(last.value) && (best === null || sign * last.value > sign * best)) best = last.value;
    stoppedAt.push(stop);
  }
  return { epochs, pruned, best, stoppedAt };
}
