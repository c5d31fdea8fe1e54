import type { Argv, ArgumentsCamelCase } from 'yargs';
import { TRIAL_STATES } from '../../core/types.js';
import { renderTable } from '../format/table.js';
import { formatNumber } from '../format/values.js';
import { withStorage } from '../options.js';
import { withExistingStorage } from '../study-access.js';

export const command = 'studies';
export const describe = 'List the studies in a database, with trial counts and the best value';

export function builder(y: Argv) {
  return withStorage(y).option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const list = await storage.studies();
    if (args.json) {
      process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      return;
    }
    if (list.length === 0) {
      process.stdout.write(`${args.storage}: no studies\n`);
      return;
    }
    const header = ['study', 'strategy', 'metric', 'direction', 'backend', ...TRIAL_STATES, 'best'];
    const rows = list.map(({ study, counts, best }) => [
      study.name, study.strategy, study.metric, study.direction, study.backend ?? '-',
      ...TRIAL_STATES.map((s) => String(counts[s])), formatNumber(best),
    ]);
    process.stdout.write(`${renderTable(header, rows)}\n`);
  });
}
