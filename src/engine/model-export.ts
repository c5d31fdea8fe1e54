/**
 * `tune export --models DIR`: the chosen trials' kept models, each as `DIR/trial-<n>/` (model.json, weights.bin,
 * config.json). A trial without a kept model (evicted, trained before models were kept, or one whose task trains
 * no tfjs model) is skipped and named, never a crash.
 */
import type { RankedTrial, StudyRecord } from '../core/types.js';
import { storedReduce } from '../core/objective.js';
import type { KeptModels } from '../execution/index.js';

export interface ModelExport {
  /** Written: trial number → its folder. */
  readonly written: readonly { readonly trial: number; readonly dir: string }[];
  /** Chosen but without a kept model. */
  readonly missing: readonly number[];
}

export async function exportModels(store: KeptModels, study: StudyRecord, ranked: readonly RankedTrial[], dest: string): Promise<ModelExport> {
  const written: { trial: number; dir: string }[] = [];
  const missing: number[] = [];
  for (const { rank, trial } of ranked) {
    const info = await store.info(study.name, trial.number);
    // config.json: what trained it and what the weights score, so the folder explains itself.
    const config = {
      study: study.name,
      trial: trial.number,
      rank,
      metric: study.metric,
      direction: study.direction,
      reduce: storedReduce(study.space),
      value: trial.value,
      epochs: trial.epochs,
      ...(info !== undefined ? { modelEpoch: info.epoch, modelValue: info.value } : {}),
      params: trial.params,
    };
    const dir = info === undefined ? undefined : await store.exportTo(study.name, trial.number, dest, config);
    if (dir === undefined) missing.push(trial.number);
    else written.push({ trial: trial.number, dir });
  }
  return { written, missing };
}
