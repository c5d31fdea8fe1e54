import { dirname, resolve } from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { withOverrides } from '../../engine/index.js';
import { loadSpace } from '../../space/index.js';
import { runAndReport } from '../run-and-report.js';
import { progressFrom, sweepOptionsFrom, withSweepOptions } from '../sweep-options.js';

export const command = ['run', '$0'];
export const describe = 'Run (or continue) the sweep a space file describes';

export function builder(y: Argv) {
  return withSweepOptions(y)
    .option('space', { type: 'string', demandOption: true, describe: 'Search-space JSON file', normalize: true })
    .middleware(rejectUnknownCommand, true);
}

/**
 * `run` is the default command, so yargs hands it any word that names no command. Said before validation, so
 * `tune frobnicate` is told the command is unknown rather than that --space is missing.
 */
function rejectUnknownCommand(a: { readonly _: readonly (string | number)[] }): void {
  const words = a._[0] === 'run' ? a._.slice(1) : a._;
  if (words.length > 0) throw new UsageError(`unknown command "${words[0]}"`);
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  // The space file's folder is stored with the study, so `tune worker` on another machine finds its files (--root).
  const options = { ...sweepOptionsFrom(args), spaceDir: dirname(resolve(args.space)) };
  await runAndReport(withOverrides(loadSpace(args.space), options), options, args.top, progressFrom(args));
}
