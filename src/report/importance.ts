/** The importance view's data: both estimators of `src/importance/` on the study's finished trials. */
import type { StudyRecord, TrialRecord } from '../core/types.js';
import { computeImportance, importanceInput, NotEnoughTrialsError } from '../importance/index.js';
import type { ImportanceData } from './data.js';

/**
 * Above this many usable trials the estimate runs on an even sample by trial number (every k-th trial), so a
 * 100,000-trial report still builds in seconds; the note says so. 10,000 is the size the importance benchmark targets.
 */
export const IMPORTANCE_SAMPLE = 10_000;

export function reportImportance(study: StudyRecord, trials: readonly TrialRecord[]): ImportanceData {
  const input = importanceInput(study, trials);
  let note: string | null = null;
  let used = input;
  if (input.trials.length > IMPORTANCE_SAMPLE) {
    const step = input.trials.length / IMPORTANCE_SAMPLE;
    used = { ...input, trials: Array.from({ length: IMPORTANCE_SAMPLE }, (_, k) => input.trials[Math.floor(k * step)]!) };
    note = `Estimated on an even sample of ${IMPORTANCE_SAMPLE.toLocaleString('en')} of the ${input.trials.length.toLocaleString('en')} finished trials.`;
  }
  if (used.params.length === 0) return { trials: used.trials.length, estimates: [], note: 'The study has no searched params.' };
  try {
    const r = computeImportance(used, { seed: study.seed });
    return {
      trials: r.trials,
      note,
      estimates: [
        { method: 'ped-anova', label: 'PED-ANOVA (Watanabe et al. 2023)', importances: r.pedAnova },
        { method: 'fanova', label: 'fANOVA (Hutter et al. 2014)', importances: r.fanova },
      ],
    };
  } catch (e) {
    if (e instanceof NotEnoughTrialsError) return { trials: e.have, estimates: [], note: e.message };
    throw e;
  }
}
