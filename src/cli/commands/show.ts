import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { renderTrial } from '../format/trial.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'show';
export const describe = 'Show one trial: its params, state and reason, and its learning curve';

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('trial', { type: 'number', demandOption: true, describe: 'Trial number (the # in `tune top`)' })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of text' });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const trial = (await storage.trials(study.id)).find((t) => t.number === args.trial);
    if (trial === undefined) throw new UsageError(`${args.storage}: study ${study.name} has no trial #${args.trial}`);
    const reports = await storage.reports(trial.id);
    process.stdout.write(args.json ? `${JSON.stringify({ trial, reports }, null, 2)}\n` : `${renderTrial(study, trial, reports)}\n`);
  });
}
