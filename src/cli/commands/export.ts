import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { curvePoints, curvesPrintable } from '../format/curves.js';
import { exportPrintable } from '../format/export.js';
import { chosenFormat, render, withFormat } from '../format/output.js';
import { withStorage, withStudy } from '../options.js';
import { requireStudy, withExistingStorage } from '../study-access.js';

export const command = 'export';
export const describe = 'Export the best complete trials of a study, or with --curves every learning curve';

export function builder(y: Argv) {
  return withFormat(withStudy(withStorage(y)), 'json')
    .option('top', { type: 'number', describe: 'How many of the best complete trials (default 1; with --curves, every trial)' })
    .option('curves', { type: 'boolean', default: false, describe: 'Write trial × epoch × metric in long format instead of configs' })
    .option('out', { type: 'string', normalize: true, describe: 'Write to this file instead of stdout' })
    .check((a) => {
      if (a.top !== undefined && (!Number.isInteger(a.top) || a.top < 1)) throw new UsageError(`--top: expected a whole number >= 1, got ${a.top}`);
      return true;
    });
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  await withExistingStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    let text: string;
    let what: string;
    if (args.curves) {
      // Every trial (failed and pruned ones too: their curves show why), or the best K of the leaderboard.
      const chosen = args.top === undefined ? await storage.trials(study.id) : (await storage.leaderboard(study.id, args.top)).map((r) => r.trial);
      const points = curvePoints(await Promise.all(chosen.map(async (trial) => ({ trial, reports: await storage.reports(trial.id) }))));
      text = render(chosenFormat(args), curvesPrintable(points));
      what = `${points.length} curve point(s) of ${chosen.length} trial(s)`;
    } else {
      // Only complete trials are configs worth exporting; the leaderboard lists them first.
      const ranked = (await storage.leaderboard(study.id, Number.MAX_SAFE_INTEGER)).filter((r) => r.trial.state === 'complete').slice(0, args.top ?? 1);
      text = render(chosenFormat(args), exportPrintable(study, ranked));
      what = `${ranked.length} config(s)`;
    }
    if (args.out === undefined) {
      process.stdout.write(text);
    } else {
      mkdirSync(dirname(args.out), { recursive: true });
      writeFileSync(args.out, text);
      process.stderr.write(`wrote ${what} to ${args.out}\n`);
    }
  });
}
