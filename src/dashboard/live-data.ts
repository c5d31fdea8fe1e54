/**
 * The dashboard's page data: the report's `loadReportData` on the mirrored study, with parameter importance cached.
 * Importance (PED-ANOVA and fANOVA over up to 10,000 trials) costs far more than the rest of a rebuild, and one
 * more finished trial barely moves it, so it is recomputed only when the finished trials changed, at most every
 * IMPORTANCE_EVERY_MS and never more often than ten times the last computation took (at most a tenth of a core).
 */
import type { StudyId, StudyRecord, TrialRecord } from '../core/types.js';
import { loadReportData, reportImportance, type ImportanceData, type ReportData } from '../report/index.js';
import type { BuildData } from './feed.js';
import { patchReportData, patchState, type PatchState } from './live-patch.js';

export const IMPORTANCE_EVERY_MS = 5000;

interface Cached {
  readonly at: number;
  readonly took: number;
  readonly finished: number;
  readonly value: ImportanceData;
}

/**
 * The first build reads the study in full (`loadReportData`); later refreshes patch the last data from the changed
 * trials (live-patch.ts), falling back to a full build where a patch can't say it.
 */
export function liveReportData(now: () => number = Date.now): BuildData {
  const cache = new Map<StudyId, Cached>();
  const states = new Map<StudyId, PatchState>();
  const importance = (study: StudyRecord, trials: readonly TrialRecord[]): ImportanceData => {
    const finished = trials.reduce((n, t) => n + (t.state === 'complete' || t.state === 'pruned' ? 1 : 0), 0);
    let cached = cache.get(study.id);
    const due = cached === undefined ||
      (cached.finished !== finished && now() - cached.at >= Math.max(IMPORTANCE_EVERY_MS, 10 * cached.took));
    if (due) {
      const started = now();
      const value = reportImportance(study, trials);
      cached = { at: now(), took: now() - started, finished, value };
      cache.set(study.id, cached);
    }
    return cached!.value;
  };
  const build = async (view: Parameters<BuildData>[0], study: StudyRecord): Promise<ReportData> => {
    const data = await loadReportData(view, study, { importance: importance(study, await view.trials(study.id)) });
    states.set(study.id, patchState(data, study));
    return data;
  };
  const patch: BuildData['patch'] = async (previous, changes, view, study) => {
    const state = states.get(study.id);
    if (state === undefined) return null;
    const trials = await view.trials(study.id);
    return patchReportData({
      data: previous as unknown as ReportData, state, study, changes, trials, curves: await view.objectiveCurves(study.id, study.metric),
      importance: importance(study, trials), generatedAt: new Date().toISOString(),
    });
  };
  return Object.assign(build, { patch });
}
