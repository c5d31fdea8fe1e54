import { hostname } from 'node:os';
import type { TrialRecord } from '../core/types.js';

/** This tuner process as a trial owner: `<host>:<pid>`, stored in `trials.worker` when it claims a trial. */
export function ownerId(): string {
  return `${hostname()}:${process.pid}`;
}

/** How long a heartbeat may be silent before a trial owned by another machine is taken for dead. */
export const STALE_HEARTBEAT_MS = 10 * 60_000;
/** How often a tuner marks its running trials alive. */
export const HEARTBEAT_EVERY_MS = 15_000;

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
  return Number.isNaN(beat) || now - beat > STALE_HEARTBEAT_MS;
}
