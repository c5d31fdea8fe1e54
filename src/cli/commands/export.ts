import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { TuneError, UsageError } from '../../core/errors.js';
import type { RankedTrial, StudyRecord } from '../../core/types.js';
import { exportModels, keptModelsFor } from '../../engine/index.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { curvePoints, curvesPrintable } from '../format/curves.js';
import { exportPrintable } from '../format/export.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'export';
export const describe = 'Export the best complete trials of a study, or with --curves every learning curve';

export function builder(y: Argv) {
  return withFormat(withStudy(withStorage(y)), 'json')
    .option('top', { type: 'number', describe: 'How many of the best complete trials (default 1; with --curves, every trial)' })
    .option('curves', { type: 'boolean', default: false, describe: 'Write trial × epoch × metric in long format instead of configs' })
    .option('out', { type: 'string', normalize: true, describe: 'Write to this file instead of stdout' })
    .option('models', {
      type: 'string',
      normalize: true,
      describe: "Also write each chosen trial's kept model to DIR/trial-N/ (model.json, weights.bin, config.json); trials without one are skipped with a warning",
    })
    .check((a) => {
      if (a.top !== undefined && (!Number.isInteger(a.top) || a.top < 1)) throw new UsageError(`--top: expected a whole number >= 1, got ${a.top}`);
      if (a.models !== undefined && a.curves) throw new UsageError('--models: exports the configs\' trained models; it does not go with --curves');
      if (a.models !== undefined) checkModelsDir(a.models);
      return true;
    });
}

/** `--models DIR` must be a folder or not exist yet (it is created). */
function checkModelsDir(dir: string): void {
  if (dir.trim() === '') throw new UsageError('--models: expected a folder, got an empty path');
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`--models ${dir}: expected a folder, found a file`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // Missing: created on export. (Another failure, e.g. permissions, surfaces when writing.)
  }
}

/**
 * Writes the chosen trials' kept models under `dir`; a trial without one is named on stderr. Exits 1 (a runtime
 * failure) only when none could be written.
 */
async function writeModels(storagePath: string, study: StudyRecord, ranked: readonly RankedTrial[], dir: string): Promise<void> {
  if (ranked.length === 0) throw new TuneError(`study ${study.name}: no complete trials, so no models to export`);
  const { written, missing } = await exportModels(keptModelsFor(storagePath), study, ranked, dir);
  for (const n of missing) {
    process.stderr.write(`warning: trial #${n} has no kept model (evicted by --keep-models, trained before models were kept, or its task trains no tfjs model); skipped\n`);
  }
  if (written.length === 0) {
    throw new TuneError(`study ${study.name}: none of the ${ranked.length} chosen trial(s) has a kept model; rerun the sweep with --keep-models ${ranked.length} or more`);
  }
  process.stderr.write(`wrote ${written.length} model(s) to ${dir}: ${written.map((w) => `trial-${w.trial}`).join(', ')}\n`);
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    let text: string;
    let what: string;
    if (args.curves) {
      // Every trial (failed and pruned ones too: their curves show why), or the best K of the leaderboard.
      const chosen = args.top === undefined ? await storage.trials(study.id) : (await storage.leaderboard(study.id, args.top)).map((r) => r.trial);
      const points = curvePoints(await Promise.all(chosen.map(async (trial) => ({ trial, reports: await storage.reports(trial.id) }))));
      text = render(chosenFormat(args), curvesPrintable(points));
      what = `${points.length} curve point(s) of ${chosen.length} trial(s)`;
    } else {
      // Only complete trials are configs worth exporting; the leaderboard lists them first.
      const ranked = (await storage.leaderboard(study.id, Number.MAX_SAFE_INTEGER)).filter((r) => r.trial.state === 'complete').slice(0, args.top ?? 1);
      text = render(chosenFormat(args), exportPrintable(study, ranked));
      what = `${ranked.length} config(s)`;
      if (args.models !== undefined) await writeModels(args.storage, study, ranked, args.models);
    }
    if (args.out === undefined) {
      process.stdout.write(text);
    } else {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, text);
      process.stderr.write(`wrote ${what} to ${args.out}\n`);
    }
  });
}
