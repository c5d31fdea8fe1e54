import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { UsageError } from '../../core/errors.js';
import { buildReport } from '../../report/index.js';
import { withStorage, withStudy } from '../options.js';
import { withReadOnlyStorage } from '../read-storage.js';
import { requireStudy } from '../study-access.js';

export const command = 'report';
export const describe = 'Write one self-contained HTML report of a study (works offline, from file://)';

export function builder(y: Argv) {
  return withStudy(withStorage(y))
    .option('out', { type: 'string', describe: 'HTML file to write (default results/<study>-report.html); missing folders are created', normalize: true })
    .example('$0 report --study adam-mnist', 'writes results/adam-mnist-report.html')
    .example('$0 report --study adam-mnist --out /tmp/r.html --storage sweeps.db', 'another file and database');
}

type Args = ArgumentsCamelCase<Awaited<ReturnType<typeof builder>['argv']>>;

export async function handler(args: Args): Promise<void> {
  const out = args.out ?? join('results', `${args.study}-report.html`);
  const started = Date.now();
  const { html, trials } = await withReadOnlyStorage(args.storage, async (storage) => {
    const study = await requireStudy(storage, args.study, args.storage);
    const { data, html } = await buildReport(storage, study);
    return { html, trials: data.trialCount };
  });
  writeOut(out, html);
  const mb = statSync(out).size / 1e6;
  process.stdout.write(`wrote ${out} (${trials} trials, ${mb.toFixed(1)} MB, ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
}

/** Creates missing folders; a place that can't be written is bad input naming the path. */
function writeOut(out: string, html: string): void {
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, html);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EISDIR', 'ENOENT', 'EEXIST'].includes(code)) {
      throw new UsageError(`--out ${out}: can't write the report there (${code})`, { cause: e });
    }
    throw e;
  }
}
