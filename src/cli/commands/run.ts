import { availableParallelism } from 'node:os';
import { UsageError } from '../../core/errors.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { runSweep } from '../../engine/index.js';
import { BACKENDS } from '../../engine/index.js';
import { loadSpace } from '../../space/index.js';
import { openStorage } from '../../storage/index.js';
import { renderLeaderboard } from '../format/leaderboard.js';
import { formatDuration } from '../format/values.js';
import { withStorage } from '../options.js';
import { progressPrinter } from '../progress.js';

export const command = ['run', '$0'];
export const describe = 'Run (or continue) the sweep a space file describes';

export function builder(y: Argv) {
  return withStorage(y)
    .option('space', { type: 'string', demandOption: true, describe: 'Search-space JSON file', normalize: true })
    .option('workers', { type: 'number', default: availableParallelism(), describe: 'Worker threads training trials at once' })
    .option('backend', { choices: BACKENDS, default: 'auto' as const, describe: 'tfjs backend; auto prefers tensorflow-gpu, tensorflow, wasm, cpu' })
    .option('seed', { type: 'number', describe: "Override the space file's seed" })
    .option('trials', { type: 'number', describe: 'Total trials for the study (stored ones count), overriding the file' })
    .option('top', { type: 'number', default: 10, describe: 'Rows of the leaderboard printed at the end' })
    .option('keep-checkpoints', { type: 'boolean', default: false, describe: 'Keep the checkpoints of finished trials (paused trials always keep theirs)' })
    .option('recycle-after', { type: 'number', default: 50, describe: 'Trials a wasm worker runs before it is replaced (the wasm heap never shrinks)' })
    .check((a) => {
      const counts: [string, number | undefined][] = [['workers', a.workers], ['trials', a.trials], ['top', a.top], ['recycle-after', a['recycle-after']]];
      for (const [flag, v] of counts) {
        if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new UsageError(`--${flag}: expected a whole number >= 1, got ${v}`);
      }
      if (a.seed !== undefined && !Number.isInteger(a.seed)) throw new UsageError(`--seed: expected an integer, got ${a.seed}`);
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  const space = loadSpace(args.space);
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const result = await runSweep(space, {
    storage: args.storage,
    workers: args.workers,
    backend: args.backend,
    seed: args.seed,
    trials: args.trials,
    recycleAfter: args.recycleAfter,
    keepCheckpoints: args.keepCheckpoints,
    onEvent: progressPrinter(log, space.objective.metric),
  });
  log(`\nran ${result.ran} trial(s) in ${formatDuration(result.elapsedMs)}; ${result.trials.length} stored in ${args.storage}\n`);
  const storage = openStorage(args.storage);
  try {
    log(renderLeaderboard(result.study, await storage.leaderboard(result.study.id, args.top)));
  } finally {
    await storage.close();
  }
  log(`\nexport the best: tune export --study ${result.study.name} --top 3 --format yaml`);
}
