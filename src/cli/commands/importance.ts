import type { Argv, ArgumentsCamelCase } from 'yargs';
import { StorageError, UsageError } from '../../core/errors.js';
import { computeImportance, loadImportanceInput, NotEnoughTrialsError, type ImportanceResult } from '../../importance/index.js';
import { openStorage, storageMissing, type Storage } from '../../storage/index.js';
import { renderTable } from '../format/table.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy } from '../study-access.js';

export const command = 'importance';
export const describe = 'Which params mattered: PED-ANOVA and fANOVA importance of each searched param (fractions summing to 1)';

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' })
    .option('seed', { type: 'number', describe: "Seed of fANOVA's random forest (default: the study's seed, as tune report uses)" })
    .check((a) => {
      if (a.seed !== undefined && !Number.isInteger(a.seed)) throw new UsageError(`--seed: expected a whole number, got ${a.seed}`);
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

/** Opens the database read-only: a missing or unreadable file is a usage error naming it (exit 2). */
function openReadOnly(path: string): Storage {
  if (storageMissing(path)) throw new UsageError(`${path}: no database here (run a sweep first, or pass --storage)`);
  try {
    return openStorage(path, { readonly: true });
  } catch (e) {
    if (e instanceof StorageError) throw new UsageError(e.message, { cause: e });
    throw e;
  }
}

export async function handler(args: Args): Promise<void> {
  const storage = openReadOnly(args.storage);
  try {
    const study = await requireStudy(storage, args.study, args.storage);
    const input = await loadImportanceInput(storage, study);
    let result: ImportanceResult;
    try {
      result = computeImportance(input, { seed: args.seed ?? study.seed });
    } catch (e) {
      if (e instanceof NotEnoughTrialsError) throw new NotEnoughTrialsError(e.have, e.need, `${args.storage}: study "${study.name}"`);
      throw e;
    }
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderImportance(study.name, result)}\n`);
  } finally {
    await storage.close();
  }
}

/** One row per param, most important by PED-ANOVA first; both columns are shares of 1. */
export function renderImportance(study: string, result: ImportanceResult): string {
  const names = Object.keys(result.pedAnova);
  const pct = (x: number | undefined) => ((x ?? 0) * 100).toFixed(1);
  const rows = names.map((name) => [name, pct(result.pedAnova[name]), pct(result.fanova[name])]);
  return [
    `Parameter importance of study "${study}" over ${result.trials} finished trials (% of each estimate):`,
    renderTable(['param', 'PED-ANOVA %', 'fANOVA %'], rows),
    'PED-ANOVA: how the top 10% of trials differ from all of them; fANOVA: the share of the objective\'s variance (main effects).',
  ].join('\n');
}
