import type { Argv, ArgumentsCamelCase } from 'yargs';
import { withOverrides } from '../../engine/index.js';
import { loadSpace } from '../../space/index.js';
import { runAndReport } from '../run-and-report.js';
import { sweepOptionsFrom, withSweepOptions } from '../sweep-options.js';

export const command = ['run', '$0'];
export const describe = 'Run (or continue) the sweep a space file describes';

export function builder(y: Argv) {
  return withSweepOptions(y).option('space', { type: 'string', demandOption: true, describe: 'Search-space JSON file', normalize: true });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  const options = sweepOptionsFrom(args);
  await runAndReport(withOverrides(loadSpace(args.space), options), options, args.top);
}
