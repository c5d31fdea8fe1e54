import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withOverrides, workerSpace } from '../../engine/index.js';
import { withStudy } from '../options.js';
import { runAndReport } from '../run-and-report.js';
import { progressFrom, sweepOptionsFrom, withSweepOptions } from '../sweep-options.js';

export const command = 'worker';
export const describe = 'Join a stored study from this machine and run its trials until none are left (no space file needed)';

export function builder(y: Argv) {
  return withStudy(withSweepOptions(y))
    .option('root', {
      type: 'string',
      normalize: true,
      describe: "Folder on this machine that stands for the space file's folder: data files and task modules are found under it",
    })
    .group(['study', 'root'], 'Study:');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

/**
 * Runs the stored study as it is, beside whatever other tuners share its storage: the study's definition is read,
 * never written, so every machine runs the same space (issue 13 §6).
 */
export async function handler(args: Args): Promise<void> {
  const options = { ...sweepOptionsFrom(args), joinOnly: true };
  const space = await workerSpace(options.storage ?? 'results/tune.db', args.study, args.root);
  await runAndReport(withOverrides(space, options), options, args.top, progressFrom(args));
}
