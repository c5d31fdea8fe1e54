import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { TRIAL_STATES, type TrialState } from '../../core/types.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { trialsPrintable } from '../format/trials.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'trials';
export const describe = 'List every trial of a study: state, value, epochs, rung, start, duration and error';

export function builder(y: Argv) {
  return withFormat(withStudy(withStorage(y)), 'table')
    .option('state', { type: 'string', describe: `Only trials in these states, comma-separated (${TRIAL_STATES.join(', ')})` })
    .check((a) => {
      if (a.state !== undefined) parseStates(a.state);
      return true;
    });
}

export function parseStates(list: string): TrialState[] {
  const states = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = states.filter((s) => !(TRIAL_STATES as readonly string[]).includes(s));
  if (states.length === 0 || unknown.length > 0) {
    throw new UsageError(`--state: expected states among ${TRIAL_STATES.join(', ')} (comma-separated), got "${list}"`);
  }
  return states as TrialState[];
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const trials = await storage.trials(study.id, args.state === undefined ? undefined : { states: parseStates(args.state) });
    process.stdout.write(render(chosenFormat(args), trialsPrintable(study, trials)));
  });
}
