import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { enqueueTrial } from '../../engine/index.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'enqueue';
export const describe = "Enqueue a config into a stored study: its next run trains it first (Optuna's enqueue_trial)";

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('params', {
      type: 'string',
      demandOption: true,
      describe: 'The config as JSON, e.g. \'{"learningRate": 0.001, "batchSize": 32}\': every searched param, each in its range or list (fixed params may be left out)',
    })
    .example('$0 enqueue --study adam-mnist --params \'{"learningRate": 0.001, "batchSize": 32, "decay": 0, "l2": 0.0001}\'', 'then: tune resume --study adam-mnist');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  let config: unknown;
  try {
    config = JSON.parse(args.params);
  } catch (e) {
    throw new UsageError(`--params: expected a JSON object such as '{"learningRate": 0.001}', got ${JSON.stringify(args.params)} (${(e as Error).message})`);
  }
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const trial = await enqueueTrial(storage, study, config, args.storage);
    const on = args.storage === 'results/tune.db' ? '' : ` --storage ${args.storage}`;
    process.stdout.write(`enqueued trial #${trial.number} in study "${study.name}": ${JSON.stringify(trial.params)}\n`);
    process.stderr.write(`its next run trains it first: tune resume --study ${study.name}${on} (or the same --space FILE)\n`);
  });
}
