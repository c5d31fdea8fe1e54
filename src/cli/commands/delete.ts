import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { TuneError } from '../../core/errors.js';
import { keptModelsFor, removeStudyCheckpoints, studyCheckpointDir } from '../../engine/index.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'delete';
export const describe = 'Delete a study: its trials, their scores and its checkpoints (asks first unless --yes)';

export function builder(y: Argv) {
  return withStudy(withStorage(y)).option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Delete without asking' });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

/** Declined at the prompt: nothing was deleted. */
class NotDeleted extends TuneError {}

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const trials = await storage.trials(study.id);
    const running = trials.filter((t) => t.state === 'running').length;
    const checkpoints = studyCheckpointDir(args.storage, study.name);
    const models = keptModelsFor(args.storage);
    if (!args.yes) {
      const inDatabase = (await storage.checkpointBlobs?.().countStudy(study.name)) ?? 0;
      const what =
        `Delete study "${study.name}" from ${args.storage}: ${trials.length} trial(s) with their scores` +
        (existsSync(checkpoints) ? `, and its checkpoints in ${checkpoints}` : '') +
        (inDatabase > 0 ? `, and its ${inDatabase} checkpoint(s) in the database` : '') +
        (existsSync(models.studyFolder(study.name)) ? `, and its kept models in ${models.studyFolder(study.name)}` : '') +
        (running > 0 ? `. ${running} trial(s) are running: a tuner still working on it will fail` : '');
      if (!(await confirm(`${what}? [y/N] `))) throw new NotDeleted(`study "${study.name}" not deleted`);
    }
    await storage.deleteStudy(study.id);
    await removeStudyCheckpoints(args.storage, study.name);
    await models.discardStudy(study.name);
    process.stderr.write(`deleted study "${study.name}" (${trials.length} trial(s)) from ${args.storage}\n`);
  });
}

/** Asks on stderr and reads one line of stdin (a terminal or a pipe); only y or yes agrees. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY === true });
  try {
    const answer = await Promise.race([rl.question(question), new Promise<string>((resolve) => rl.once('close', () => resolve('')))]);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
