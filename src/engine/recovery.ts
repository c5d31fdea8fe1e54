import type { StudyRecord, TrialRecord } from '../core/types.js';
import type { Storage } from '../storage/types.js';
import { ownerIsDead } from './owner.js';

export type OnInterrupted = 'requeue' | 'fail';

/**
 * Trials still `running` whose tuner process is gone (killed, crashed, machine rebooted): requeue them, to
 * resume from their last checkpoint or start over, or fail them with the reason `interrupted`. Trials of a
 * live tuner sharing the study are left alone.
 */
export async function recoverInterrupted(storage: Storage, study: StudyRecord, policy: OnInterrupted): Promise<TrialRecord[]> {
  const stuck = (await storage.trials(study.id, { states: ['running'] })).filter((t) => ownerIsDead(t));
  const recovered: TrialRecord[] = [];
  for (const t of stuck) {
    try {
      recovered.push(
        policy === 'requeue'
          ? await storage.requeueTrial(t.id, { countAttempt: false })
          : await storage.finishTrial(t.id, {
              state: 'failed',
              epochs: t.epochs,
              error: { kind: 'interrupted', message: `its tuner (${t.worker ?? 'unknown'}) stopped while it was running` },
            }),
      );
    } catch (err) {
      // Another tuner starting at the same moment recovered it first.
      if ((await storage.trial(t.id))?.state === 'running') throw err;
    }
  }
  return recovered;
}
