/**
 * One study's live data for the dashboard: a mirror kept current with `changesSince`, the page data built from it,
 * and the patch from each version to the next. Pages that hold version `seq` get just the patch.
 */
import type { StudyRecord } from '../core/types.js';
import type { Storage, StudyChanges } from '../storage/types.js';
import { MirroredStorage, StudyMirror } from './mirror.js';
import { applyPatch, diffJson, type Json, type PatchOp } from './patch.js';

/**
 * Builds the page's data for `study` from `storage` (the mirror), e.g. the report's `loadReportData`. It must be
 * plain JSON (no undefined, no NaN: `ReportData` is), since pages get it as JSON and patches of it.
 */
export type BuildData = ((storage: Storage, study: StudyRecord) => Promise<object>) & {
  /**
   * Optional: the ops that bring `previous` (this builder's last data, less `seq`) up to date after `changes`, read
   * from `storage` (the mirror, already updated); null when only a full build can. Saves rebuilding and diffing the
   * whole study per refresh.
   */
  readonly patch?: (previous: Json, changes: StudyChanges, storage: Storage, study: StudyRecord) => Promise<PatchOp[] | null>;
};

export interface FeedUpdate {
  readonly from: number;
  readonly to: number;
  readonly ops: readonly PatchOp[];
}

export class StudyFeed {
  private readonly mirror: StudyMirror;
  private readonly view: Storage;
  private data: Json | null = null;
  private refreshing: Promise<FeedUpdate | null> | null = null;

  constructor(private readonly storage: Storage, study: StudyRecord, private readonly build: BuildData) {
    this.mirror = new StudyMirror(study);
    this.view = new MirroredStorage(storage, this.mirror);
  }

  get seq(): number {
    return this.mirror.seq;
  }

  get study(): StudyRecord {
    return this.mirror.study;
  }

  /** The current data (built on first use), with `seq` set to the storage's change number. */
  async current(): Promise<Json> {
    if (this.data === null) await this.refresh();
    return this.data as Json;
  }

  /**
   * Reads what changed since the last call and, if anything did, rebuilds the data and returns the patch to it.
   * Concurrent callers share one refresh.
   */
  refresh(): Promise<FeedUpdate | null> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<FeedUpdate | null> {
    const from = this.mirror.seq;
    let changes: StudyChanges | null = null;
    if (this.data === null) {
      // First build: the two bulk queries a report uses are faster than every report row through changesSince.
      const id = this.mirror.study.id;
      const { seq, study } = await this.storage.changesSince(id, Number.MAX_SAFE_INTEGER); // just the seq
      this.mirror.study = study;
      this.mirror.load(seq, await this.storage.trials(id), await this.storage.objectiveCurves(id, study.metric));
    } else {
      changes = await this.storage.changesSince(this.mirror.study.id, from);
      if (!this.mirror.apply(changes)) return null;
    }
    const ops = changes === null || this.build.patch === undefined ? null : await this.build.patch(this.data as Json, changes, this.view, this.mirror.study);
    if (ops !== null) {
      ops.push(['set', ['seq'], this.mirror.seq]);
      this.data = applyPatch(this.data, ops) as Json;
      return { from, to: this.mirror.seq, ops };
    }
    const built = await this.build(this.view, this.mirror.study);
    const next = { ...(built as { readonly [key: string]: Json }), seq: this.mirror.seq };
    const previous = this.data;
    this.data = next;
    return previous === null ? null : { from, to: this.mirror.seq, ops: diffJson(previous, next) };
  }
}
