import { UsageError } from '../../core/errors.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { renderLeaderboard } from '../format/leaderboard.js';
import { toExported } from '../format/export.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { paramNames } from '../format/leaderboard.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'top';
export const describe = 'Show the leaderboard of a study: most epochs first, then highest rung, then the objective';

export function builder(y: Argv) {
  return withFormat(withStudy(withStorage(y)), 'table')
    .option('n', { alias: 'limit', type: 'number', default: 10, describe: 'Number of rows' })
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
    const rows = toExported(study, ranked).map((c, i) => ({ ...c, state: ranked[i]!.trial.state, error: ranked[i]!.trial.error }));
    const names = paramNames(ranked);
    process.stdout.write(
      render(chosenFormat(args), {
        data: rows,
        rows: () => ({
          header: ['rank', 'trial', 'state', 'value', 'metric', 'epochs', 'rung', 'errorKind', 'errorMessage', ...names],
          rows: rows.map((r, i) => [
            r.rank, r.trial, r.state, r.value, r.metric, r.epochs, ranked[i]!.trial.rung, r.error?.kind ?? null, r.error?.message ?? null,
            ...names.map((n) => r.params[n] ?? null),
          ]),
        }),
        table: () => renderLeaderboard(study, ranked),
      }),
    );
  });
}
