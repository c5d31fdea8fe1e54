import { UsageError } from '../../core/errors.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { renderLeaderboard } from '../format/leaderboard.js';
import { toExported } from '../format/export.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'top';
export const describe = 'Show the leaderboard of a study: most epochs first, then highest rung, then the objective';

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('n', { alias: 'limit', type: 'number', default: 10, describe: 'Number of rows' })
    .option('json', { type: 'boolean', default: false, describe: 'Print JSON instead of a table' })
    .check((a) => {
      if (!Number.isInteger(a.n) || a.n < 1) throw new UsageError(`-n: expected a whole number >= 1, got ${a.n}`);
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const ranked = await storage.leaderboard(study.id, args.n);
    if (args.json) {
      const rows = toExported(study, ranked).map((c, i) => ({ ...c, state: ranked[i]!.trial.state, error: ranked[i]!.trial.error }));
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    } else {
      process.stdout.write(`${renderLeaderboard(study, ranked)}\n`);
    }
  });
}
