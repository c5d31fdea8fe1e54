/**
 * A study kept in memory and brought up to date from `Storage.changesSince`, so a live page's data is rebuilt from
 * what changed, not by reading the whole study from the database every tick. `MirroredStorage` answers `trials`
 * and `objectiveCurves` of the mirrored study from memory and passes every other call to the real storage.
 */
import type {
  EpochReport, Metrics, RankedTrial, StudyId, StudyRecord, StudySpec, TrialId, TrialOutcome, TrialRecord,
} from '../core/types.js';
import type { Fence, NewTrial, RequeueOptions, Storage, StudyChanges, StudySummary, TrialFilter } from '../storage/types.js';

export class StudyMirror {
  private readonly byId = new Map<TrialId, TrialRecord>();
  private readonly curves = new Map<TrialId, number[]>();
  private sorted: TrialRecord[] | null = [];
  /** Where each trial sits in `sorted` (valid while `sorted` is). */
  private readonly position = new Map<TrialId, number>();
  seq = 0;

  constructor(public study: StudyRecord) {}

  /**
   * Starts from a full read: every trial and objective curve, read after `seq` was, so anything written in between
   * comes again with the next `changesSince(seq)` and is folded in once more (each change replaces, never adds).
   */
  load(seq: number, trials: readonly TrialRecord[], curves: ReadonlyMap<TrialId, readonly number[]>): void {
    this.byId.clear();
    for (const t of trials) this.byId.set(t.id, t);
    this.sorted = null;
    this.position.clear();
    this.curves.clear();
    for (const [id, curve] of curves) this.curves.set(id, [...curve]);
    this.seq = seq;
  }

  /** Folds in one `changesSince` answer; returns whether anything changed. */
  apply(changes: StudyChanges): boolean {
    if (changes.seq === this.seq) return false;
    this.study = changes.study;
    for (const t of changes.trials) {
      this.byId.set(t.id, t);
      this.place(t);
    }
    for (const r of changes.reports) this.addReport(r);
    this.seq = changes.seq;
    return true;
  }

  trials(): readonly TrialRecord[] {
    if (this.sorted === null) {
      this.sorted = [...this.byId.values()].sort((a, b) => a.number - b.number);
      this.position.clear();
      this.sorted.forEach((t, i) => this.position.set(t.id, i));
    }
    return this.sorted;
  }

  /** The trial record of `id`, if mirrored. */
  trial(id: TrialId): TrialRecord | undefined {
    return this.byId.get(id);
  }

  /**
   * Keeps the sorted list without re-sorting 100,000 records per tick: a changed trial replaces itself, a new one
   * numbered after the last is appended (trial numbers grow as trials are created); anything else sorts again.
   */
  private place(t: TrialRecord): void {
    if (this.sorted === null) return;
    const at = this.position.get(t.id);
    if (at !== undefined && this.sorted[at]!.number === t.number) this.sorted[at] = t;
    else if (at === undefined && (this.sorted.length === 0 || this.sorted[this.sorted.length - 1]!.number < t.number)) {
      this.position.set(t.id, this.sorted.push(t) - 1);
    } else this.sorted = null;
  }

  /** The objective's learning curves, as `Storage.objectiveCurves` gives them (NaN for an epoch without a report). */
  objectiveCurves(): ReadonlyMap<TrialId, readonly number[]> {
    return this.curves;
  }

  private addReport(r: EpochReport): void {
    const value = r.metrics[this.study.metric];
    if (value === undefined) return;
    let curve = this.curves.get(r.trialId);
    if (!curve) this.curves.set(r.trialId, (curve = []));
    while (curve.length < r.epoch - 1) curve.push(NaN);
    curve[r.epoch - 1] = value;
  }
}

/** `Storage` with one study's trials and objective curves answered from a mirror; read-only like its base. */
export class MirroredStorage implements Storage {
  constructor(private readonly base: Storage, private readonly mirror: StudyMirror) {}

  async trials(study: StudyId, filter?: TrialFilter): Promise<readonly TrialRecord[]> {
    if (study !== this.mirror.study.id) return this.base.trials(study, filter);
    const all = this.mirror.trials();
    return filter?.states ? all.filter((t) => filter.states?.includes(t.state)) : all;
  }

  async objectiveCurves(study: StudyId, metric: string): Promise<ReadonlyMap<TrialId, readonly number[]>> {
    if (study !== this.mirror.study.id || metric !== this.mirror.study.metric) return this.base.objectiveCurves(study, metric);
    return this.mirror.objectiveCurves();
  }

  openStudy(spec: StudySpec): Promise<StudyRecord> { return this.base.openStudy(spec); }
  getStudy(name: string): Promise<StudyRecord | null> { return this.base.getStudy(name); }
  studies(): Promise<readonly StudySummary[]> { return this.base.studies(); }
  setStudyBackend(study: StudyId, backend: string): Promise<void> { return this.base.setStudyBackend(study, backend); }
  createTrial(study: StudyId, trial: NewTrial): Promise<TrialRecord> { return this.base.createTrial(study, trial); }
  claimTrial(id: TrialId, worker: string, leaseMs?: number): Promise<boolean> { return this.base.claimTrial(id, worker, leaseMs); }
  acquireTrial(id: TrialId, worker: string, leaseMs?: number): Promise<TrialRecord | null> { return this.base.acquireTrial(id, worker, leaseMs); }
  report(id: TrialId, epoch: number, metrics: Metrics, value: number, fence?: Fence): Promise<void> { return this.base.report(id, epoch, metrics, value, fence); }
  finishTrial(id: TrialId, outcome: TrialOutcome, fence?: Fence): Promise<TrialRecord> { return this.base.finishTrial(id, outcome, fence); }
  promoteTrial(id: TrialId, budget: number, rung: number): Promise<TrialRecord> { return this.base.promoteTrial(id, budget, rung); }
  requeueTrial(id: TrialId, options: RequeueOptions): Promise<TrialRecord> { return this.base.requeueTrial(id, options); }
  heartbeat(ids: readonly TrialId[], worker: string): Promise<readonly TrialId[]> { return this.base.heartbeat(ids, worker); }
  requeueExpired(study: StudyId): Promise<readonly TrialRecord[]> { return this.base.requeueExpired(study); }
  setStudyDefinition(study: StudyId, definition: unknown): Promise<void> { return this.base.setStudyDefinition(study, definition); }
  renameStudy(study: StudyId, name: string): Promise<void> { return this.base.renameStudy(study, name); }
  deleteStudy(study: StudyId): Promise<void> { return this.base.deleteStudy(study); }
  trial(id: TrialId): Promise<TrialRecord | null> { return this.base.trial(id); }
  reports(id: TrialId): Promise<readonly EpochReport[]> { return this.base.reports(id); }
  leaderboard(study: StudyId, limit: number): Promise<readonly RankedTrial[]> { return this.base.leaderboard(study, limit); }
  changesSince(study: StudyId, since: number): Promise<StudyChanges> { return this.base.changesSince(study, since); }
  close(): Promise<void> { return Promise.resolve(); }
}
