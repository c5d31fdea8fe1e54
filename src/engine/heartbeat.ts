/**
 * Marking a tuner's running trials alive. A write that fails is not fatal (the trials still run here), but it
 * must not pass silently: after STALE_HEARTBEAT_MS without one, a tuner on another host takes the trials for
 * dead and runs them again. So the first failure of a streak warns, a long streak warns again each minute with
 * how long it has lasted, and the first success after a streak says the writes work again.
 */
import { errorMessage } from '../core/errors.js';
import type { TrialId } from '../core/types.js';
import type { Storage } from '../storage/types.js';
import type { SweepListener } from './events.js';
import { STALE_HEARTBEAT_MS } from './owner.js';

const REPEAT_AFTER_MS = 60_000;

export interface HeartbeatOptions {
  readonly storage: Storage;
  readonly owner: string;
  readonly running: () => readonly TrialId[];
  readonly everyMs: number;
  readonly emit: SweepListener;
  /** Called with the trials a beat found this tuner no longer holds (requeued after its lease expired, re-claimed). */
  readonly onLost?: (ids: readonly TrialId[]) => void;
  /** The lease the trials hold, for the warning's words; default STALE_HEARTBEAT_MS. */
  readonly leaseMs?: number;
  readonly now?: () => number;
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

export function heartbeat(o: HeartbeatOptions): { stop(): void } {
  const now = o.now ?? Date.now;
  let failingSince: number | null = null;
  let warnedAt = 0;
  let pending = false; // one write at a time: a slow database must not pile them up
  const beat = async (ids: readonly TrialId[]): Promise<void> => {
    try {
      const renewed = new Set(await o.storage.heartbeat(ids, o.owner));
      const lost = ids.filter((id) => !renewed.has(id));
      if (lost.length > 0) o.onLost?.(lost);
      if (failingSince !== null) {
        o.emit({ type: 'warning', code: 'heartbeat-restored', message: `heartbeat writes work again after ${minutes(now() - failingSince)} of failures` });
        failingSince = null;
      }
    } catch (err) {
      const t = now();
      if (failingSince === null || t - warnedAt >= REPEAT_AFTER_MS) {
        const since = failingSince === null ? '' : ` (failing for ${minutes(t - failingSince)})`;
        o.emit({
          type: 'warning',
          code: 'heartbeat-failed',
          message:
            `could not mark ${ids.length} running trial(s) alive${since}: ${errorMessage(err)}; ` +
            (o.leaseMs === undefined
              ? `after ${minutes(STALE_HEARTBEAT_MS)} without a heartbeat a tuner on another host may run them again`
              : `once their ${o.leaseMs / 1000} s lease runs out without a heartbeat, another tuner may run them again`),
        });
        warnedAt = t;
      }
      failingSince ??= t;
    }
  };
  const timer = setInterval(() => {
    const ids = o.running();
    if (ids.length === 0 || pending) return;
    pending = true;
    void beat(ids).finally(() => (pending = false));
  }, o.everyMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
