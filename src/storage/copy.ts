/**
 * Copies studies between two storages of any kind (SQLite ↔ PostgreSQL), like Optuna's `copy_study`: the study
 * with its definition and backend, and every trial with its params, per-epoch reports, state, value, error,
 * checkpoint path, attempts, worker and timestamps (and the checkpoints a storage holds itself, between two that
 * can). Only the Storage interface is used, so it works for every
 * implementation; the destination's clock is driven by the copy so the stored timestamps are the source's.
 */
import { StorageError } from '../core/errors.js';
import type { StudyRecord, TrialRecord } from '../core/types.js';
import type { Storage } from './types.js';

/** A clock the copy sets before each write; open the destination with `{ now: clock.now }`. */
export class CopyClock {
  private at = new Date();
  readonly now = (): Date => this.at;
  set(iso: string | null): void {
    if (iso !== null) this.at = new Date(iso);
  }
}

/**
 * Copies `study` from `from` into `to` under the same name; `to` must not have a study of that name (the caller
 * checks, to say so as bad input). Returns the new study. Trials keep their numbers (they are created in order).
 */
export async function copyStudy(from: Storage, study: StudyRecord, to: Storage, clock: CopyClock): Promise<StudyRecord> {
  clock.set(study.createdAt);
  const copy = await to.openStudy({
    name: study.name, space: study.space, direction: study.direction, metric: study.metric,
    strategy: study.strategy, seed: study.seed,
  });
  if (study.definition !== null) await to.setStudyDefinition(copy.id, study.definition);
  if (study.backend !== null) await to.setStudyBackend(copy.id, study.backend);
  const trials = await from.trials(study.id);
  for (const trial of trials) await copyTrial(from, trial, to, copy, clock);
  await copyCheckpoints(from, to, study.name, trials);
  clock.set(study.updatedAt);
  return copy;
}

/**
 * Checkpoints the source storage holds itself (PostgreSQL's), into a destination that can hold them too, so a
 * copied paused trial still resumes. Their refs name the study and trial, not the database, so they stay valid.
 * Checkpoint files, and database checkpoints copied to SQLite, are left where they are.
 */
async function copyCheckpoints(from: Storage, to: Storage, study: string, trials: readonly TrialRecord[]): Promise<void> {
  const source = from.checkpointBlobs?.();
  const target = to.checkpointBlobs?.();
  if (source === undefined || target === undefined) return;
  for (const t of trials) {
    if (t.checkpoint === null) continue;
    const key = await source.newest(study, t.number);
    if (key === undefined) continue;
    const blob = await source.read(key, t.checkpoint);
    await target.write(key, blob.manifest, [blob.data]);
  }
}

async function copyTrial(from: Storage, t: TrialRecord, to: Storage, study: StudyRecord, clock: CopyClock): Promise<void> {
  clock.set(t.createdAt);
  const created = await to.createTrial(study.id, {
    params: t.params, budget: t.budget, seed: t.seed,
    ...(t.rung !== null ? { rung: t.rung } : {}), ...(t.bracket !== null ? { bracket: t.bracket } : {}),
  });
  if (created.number !== t.number) {
    throw new StorageError(`copy of study "${study.name}": trial #${t.number} became #${created.number}`);
  }
  if (t.state === 'waiting' && t.attempts === 0 && !t.claims) return;
  const worker = t.worker ?? 'copied';
  clock.set(t.startedAt ?? t.createdAt);
  // Every claim but the last ended in a requeue: the first `attempts` of them counted (failed runs retried), the
  // rest not (a tuner that died or stopped). Replayed, so `attempts` and `claims` (the fencing count) carry over.
  const ran = t.state !== 'waiting' && t.startedAt !== null;
  const claims = t.claims ?? (t.startedAt === null ? 0 : 1 + t.attempts);
  const requeues = Math.max(t.attempts, claims - (ran ? 1 : 0));
  for (let i = 0; i < requeues; i++) {
    await to.claimTrial(created.id, worker);
    await to.requeueTrial(created.id, { countAttempt: i < t.attempts, ...(t.error !== null ? { error: t.error } : {}) });
  }
  // Failed without ever running (waiting → failed), or still waiting.
  if (t.state === 'failed' && !ran) {
    await to.finishTrial(created.id, { state: 'failed', epochs: 0, ...(t.error !== null ? { error: t.error } : {}) });
  }
  if (!ran) return;
  if (!(await to.claimTrial(created.id, worker, t.leaseMs ?? undefined))) throw new StorageError(`copy of study "${study.name}": can't claim trial #${t.number}`);
  for (const r of await from.reports(t.id)) {
    const v = r.metrics[study.metric];
    await to.report(created.id, r.epoch, r.metrics, v ?? NaN);
  }
  if (t.state === 'running') return;
  clock.set(t.finishedAt ?? t.heartbeatAt ?? t.startedAt);
  await to.finishTrial(created.id, {
    state: t.state, epochs: t.epochs,
    ...(t.value !== null ? { value: t.value } : {}),
    ...(t.error !== null ? { error: t.error } : {}),
    ...(t.checkpoint !== null ? { checkpoint: t.checkpoint } : {}),
  });
}
