import { availableParallelism } from 'node:os';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { BACKENDS, checkTaskData, planSweep, trainerDefaults, withOverrides } from '../../engine/index.js';
import { loadSpace } from '../../space/index.js';
import { renderCheck } from '../format/check.js';
import { probeOneEpoch } from '../probe.js';

export const command = 'check';
export const describe = 'Check a space file: its params, their conditions and defaults, grid size (valid combinations only), rungs and brackets, epoch budget, and a time estimate from a one-epoch probe';

export function builder(y: Argv) {
  return y
    .option('space', { type: 'string', demandOption: true, describe: 'Search-space JSON file', normalize: true })
    .option('probe', { type: 'boolean', default: true, describe: 'Train one epoch of one trial to estimate the time (--no-probe skips it)' })
    .option('workers', { type: 'number', default: availableParallelism(), describe: 'Workers the estimate assumes' })
    .option('backend', { choices: BACKENDS, default: 'auto' as const, describe: 'tfjs backend of the probe' })
    .option('trials', { type: 'number', describe: 'Total trials, overriding the file' })
    .option('seed', { type: 'number', describe: "Override the space file's seed" })
    .check((a) => {
      for (const [flag, v] of [['workers', a.workers], ['trials', a.trials]] as const) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${flag}: expected a whole number >= 1, got ${v}`);
      }
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  const space = withOverrides(loadSpace(args.space), { seed: args.seed });
  await checkTaskData(space, args.space); // data that a sweep would refuse (exit 2) is refused here too, probe or not
  const plan = planSweep(space, args.trials);
  const probe = args.probe ? await probeOneEpoch(space, args.backend) : null;
  process.stdout.write(`${renderCheck(args.space, space, plan, trainerDefaults(space), args.workers, probe)}\n`);
  // The space is valid, but its task doesn't run: the sweep would fail every trial, so it is bad input too.
  if (probe?.error) throw new UsageError(`${args.space}: the one-epoch probe trial failed (${probe.error.kind}): ${probe.error.message}`);
}
