import { hostname } from 'node:os';
import type { TrialRecord } from '../core/types.js';

/** This tuner process as a trial owner: `<host>:<pid>`, stored in `trials.worker` when it claims a trial. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

/**
 * How long a heartbeat may be silent before a trial owned by another machine is taken for dead, for a trial claimed
 * without a lease (stored by an older tune, or by ask-and-tell); a trial with a lease is dead once it expired.
 */
export const STALE_HEARTBEAT_MS = 10 * 60_000;
/**
 * The lease a sweep's claim takes by default (`--lease`): short, so a dead machine's trials run again within a
 * minute (requeued within 2× the lease), and long enough that a busy event loop or a slow database write doesn't
 * lose it. Optuna's heartbeat defaults are of this order (`heartbeat_interval` 60 s, `grace_period` 120 s).
 */
export const DEFAULT_LEASE_MS = 30_000;
/** How often a tuner marks its running trials alive, by default; a sweep beats every third of its lease. */
export const HEARTBEAT_EVERY_MS = DEFAULT_LEASE_MS / 3;

/**
 * Is the process that claimed this running trial gone? On this machine the pid answers at once; for another
 * machine only the heartbeat can tell.
 */
export function ownerIsDead(trial: TrialRecord, now = Date.now()): boolean {
  const owner = trial.worker ?? '';
  const colon = owner.lastIndexOf(':');
  const host = owner.slice(0, colon);
  const pid = Number(owner.slice(colon + 1));
  if (colon > 0 && host === hostname() && Number.isInteger(pid)) {
    if (pid === process.pid) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  const beat = Date.parse(trial.heartbeatAt ?? trial.startedAt ?? trial.createdAt);
  return Number.isNaN(beat) || now - beat > (trial.leaseMs ?? STALE_HEARTBEAT_MS);
}
