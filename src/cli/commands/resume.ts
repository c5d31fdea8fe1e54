import type { Argv, ArgumentsCamelCase } from 'yargs';
import { storedSpace, withOverrides } from '../../engine/index.js';
import { withStudy } from '../options.js';
import { runAndReport } from '../run-and-report.js';
import { progressFrom, sweepOptionsFrom, withSweepOptions } from '../sweep-options.js';

export const command = 'resume';
export const describe = 'Continue a stored study with the space it last ran with (no space file needed)';

export function builder(y: Argv) {
  return withStudy(withSweepOptions(y));
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  const options = sweepOptionsFrom(args);
  await runAndReport(withOverrides(await storedSpace(options.storage ?? 'results/tune.db', args.study), options), options, args.top, progressFrom(args));
}
