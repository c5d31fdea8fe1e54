import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { renderTrial } from '../format/trial.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'show';
export const describe = 'Show one trial: its params, state and reason, and its learning curve';

export function builder(y: Argv) {
  return withFormat(withStudy(withStorage(y)), 'table')
    .option('trial', { type: 'number', demandOption: true, describe: 'Trial number (the # in `tune top`)' });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const trial = (await storage.trials(study.id)).find((t) => t.number === args.trial);
    if (trial === undefined) throw new UsageError(`${args.storage}: study ${study.name} has no trial #${args.trial}`);
    const reports = await storage.reports(trial.id);
    // CSV is the learning curve: one row per epoch, one column per metric.
    const metrics = [...new Set(reports.flatMap((r) => Object.keys(r.metrics)))];
    process.stdout.write(
      render(chosenFormat(args), {
        data: { trial, reports },
        rows: () => ({ header: ['epoch', ...metrics], rows: reports.map((r) => [r.epoch, ...metrics.map((m) => r.metrics[m] ?? null)]) }),
        table: () => renderTrial(study, trial, reports),
      }),
    );
  });
}
