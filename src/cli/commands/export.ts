import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { EXPORT_FORMATS, renderExport } from '../format/export.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'export';
export const describe = 'Export the best complete trials of a study as JSON, YAML or CSV';

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('top', { type: 'number', default: 1, describe: 'How many of the best complete trials' })
    .option('format', { choices: EXPORT_FORMATS, default: 'json' as const, describe: 'Output format' })
    .option('out', { type: 'string', normalize: true, describe: 'Write to this file instead of stdout' })
    .check((a) => {
      if (!Number.isInteger(a.top) || a.top < 1) throw new UsageError(`--top: expected a whole number >= 1, got ${a.top}`);
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    // Only complete trials are configs worth exporting; the leaderboard lists them first.
    const ranked = (await storage.leaderboard(study.id, Number.MAX_SAFE_INTEGER)).filter((r) => r.trial.state === 'complete').slice(0, args.top);
    const text = renderExport(args.format, study, ranked);
    if (args.out === undefined) {
      process.stdout.write(text);
    } else {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, text);
      process.stderr.write(`wrote ${ranked.length} config(s) to ${args.out}\n`);
    }
  });
}
