import type { Argv, ArgumentsCamelCase } from 'yargs';
import { TRIAL_STATES } from '../../core/types.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { renderTable } from '../format/table.js';
import { formatNumber } from '../format/values.js';
import { withStorage } from '../options.js';
import { withExistingStorage } from '../study-access.js';

export const command = 'studies';
export const describe = 'List the studies in a database, with trial counts and the best value';

export function builder(y: Argv) {
  return withFormat(withStorage(y), 'table');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const list = await storage.studies();
    const header = ['study', 'strategy', 'metric', 'direction', 'backend', ...TRIAL_STATES, 'best'];
    process.stdout.write(
      render(chosenFormat(args), {
        data: list,
        rows: () => ({
          header: [...header, 'createdAt', 'updatedAt'],
          rows: list.map(({ study, counts, best }) => [
            study.name, study.strategy, study.metric, study.direction, study.backend, ...TRIAL_STATES.map((s) => counts[s]), best, study.createdAt, study.updatedAt,
          ]),
        }),
        table: () =>
          list.length === 0
            ? `${args.storage}: no studies`
            : renderTable(
                header,
                list.map(({ study, counts, best }) => [
                  study.name, study.strategy, study.metric, study.direction, study.backend ?? '-',
                  ...TRIAL_STATES.map((s) => String(counts[s])), formatNumber(best),
                ]),
              ),
      }),
    );
  });
}
