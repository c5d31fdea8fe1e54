import { normalize } from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import type { StudyRecord } from '../../core/types.js';
import {
  checkStorageScheme, CopyClock, copyStudy, hasUrlScheme, openStorage, redactUrl,
} from '../../storage/index.js';
import type { Storage } from '../../storage/types.js';
import { withReadOnlyStorage } from '../read-storage.js';
import { requireStudy } from '../study-access.js';

export const command = 'copy';
export const describe = 'Copy studies from one database to another: SQLite ↔ PostgreSQL, in either direction (trials, params, reports, definitions)';

const storageArg = (what: string) => ({
  type: 'string' as const,
  demandOption: true,
  describe: `${what}: a SQLite file or a postgres:// URL`,
  coerce: (v: string) => (hasUrlScheme(v) ? v : normalize(v)),
});

export function builder(y: Argv) {
  return y
    .option('from', storageArg('Database to copy from'))
    .option('to', storageArg('Database to copy into (a new SQLite file is created; a server database must exist)'))
    .option('study', { type: 'string', describe: 'Copy only this study (default: every study)' })
    .example('$0 copy --from results/tune.db --to postgres://tune@db.lab:5432/tune', 'move every study to a shared server')
    .example('$0 copy --from postgres://tune@db.lab/tune --to local.db --study adam-mnist', 'take one study home');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  // demandOption makes yargs require both; its types lose that once `coerce` is given.
  const from = args.from ?? '';
  const to = args.to ?? '';
  await copy(from, to, args.study);
}

async function copy(fromPath: string, toPath: string, only: string | undefined): Promise<void> {
  checkStorageScheme(toPath);
  await withReadOnlyStorage(fromPath, async (from) => {
    const studies: StudyRecord[] = only !== undefined
      ? [await requireStudy(from, only, fromPath)]
      : (await from.studies()).map((s) => s.study);
    if (studies.length === 0) throw new UsageError(`--from ${redactUrl(fromPath)}: the database has no studies to copy`);
    const clock = new CopyClock();
    const to: Storage = openStorage(toPath, { now: clock.now });
    try {
      // Refused before anything is written: a copy never merges into, or overwrites, a study of the same name.
      const taken: string[] = [];
      for (const s of studies) if ((await to.getStudy(s.name)) !== null) taken.push(s.name);
      if (taken.length > 0) {
        throw new UsageError(
          `--to ${redactUrl(toPath)} already has a study named ${taken.map((n) => `"${n}"`).join(', ')}: ` +
            'tune copy never overwrites one. Delete it there first (tune delete --study NAME --storage …), or copy into another database',
        );
      }
      for (const s of studies) {
        const trials = (await from.trials(s.id)).length;
        await copyStudy(from, s, to, clock);
        process.stderr.write(`copied study "${s.name}" (${trials} trial(s)) from ${redactUrl(fromPath)} to ${redactUrl(toPath)}\n`);
      }
    } finally {
      await to.close();
    }
  });
}
