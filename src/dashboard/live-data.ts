/**
 * The dashboard's page data: the report's `loadReportData` on the mirrored study, with parameter importance cached.
 * Importance (PED-ANOVA and fANOVA over up to 10,000 trials) costs far more than the rest of a rebuild, and one
 * more finished trial barely moves it, so it is recomputed only when the finished trials changed, at most every
 * IMPORTANCE_EVERY_MS and never more often than ten times the last computation took (at most a tenth of a core).
 */
import type { StudyId } from '../core/types.js';
import { loadReportData, reportImportance, type ImportanceData } from '../report/index.js';
import type { BuildData } from './feed.js';

export const IMPORTANCE_EVERY_MS = 5000;

interface Cached {
  readonly at: number;
  readonly took: number;
  readonly finished: number;
  readonly value: ImportanceData;
}

export function liveReportData(now: () => number = Date.now): BuildData {
  const cache = new Map<StudyId, Cached>();
  return async (view, study) => {
    const trials = await view.trials(study.id);
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
    return loadReportData(view, study, { importance: cached!.value });
  };
}
