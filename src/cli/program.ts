import yargs from 'yargs';
import { TuneError, UsageError } from '../core/errors.js';
import { redactSecrets } from '../storage/index.js';
import { ENV_PREFIX, ignoreForeignEnv } from './env.js';
import * as checkCommand from './commands/check.js';
import * as copyCommand from './commands/copy.js';
import * as deleteCommand from './commands/delete.js';
import * as dashboardCommand from './commands/dashboard.js';
import * as exportCommand from './commands/export.js';
import * as importanceCommand from './commands/importance.js';
import * as reportCommand from './commands/report.js';
import * as resumeCommand from './commands/resume.js';
import * as runCommand from './commands/run.js';
import * as showCommand from './commands/show.js';
import * as studiesCommand from './commands/studies.js';
import * as trialsCommand from './commands/trials.js';
import * as workerCommand from './commands/worker.js';
import * as topCommand from './commands/top.js';

/** Runs the CLI and returns its exit code: 0 success, 2 bad input or usage, 1 runtime failure. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await yargs(argv)
      .scriptName('tune')
      .usage('$0 --space FILE [options]\n$0 <command> [options]')
      .command(runCommand)
      .command(resumeCommand)
      .command(workerCommand)
      .command(topCommand)
      .command(exportCommand)
      .command(showCommand)
      .command(studiesCommand)
      .command(importanceCommand)
      .command(trialsCommand)
      .command(deleteCommand)
      .command(checkCommand)
      .command(copyCommand)
      .command(reportCommand)
      .command(dashboardCommand)
      .example('$0 --space search-spaces/adam.json', 'run the quick-start sweep')
      .example('$0 worker --study adam-mnist --storage postgres://tune@db:5432/tune', 'join a shared study from another machine')
      .example('$0 top --study adam-mnist', 'ranked leaderboard')
      .example('$0 export --study adam-mnist --top 3 --format yaml', 'best configs')
      .example('$0 show --study adam-mnist --trial 3', "one trial's learning curve")
      .example('$0 importance --study adam-mnist', 'which params mattered')
      .example('$0 trials --study adam-mnist --state failed', 'what failed, and why')
      .example('$0 check --space search-spaces/adam.json', 'what a sweep trains, and about how long')
      .example('$0 dashboard', 'live dashboard of every study at http://127.0.0.1:8080/')
      .example('$0 report --study adam-mnist', 'one HTML file with every chart: results/adam-mnist-report.html')
      .completion('completion', 'Print a bash/zsh completion script: tune completion >> ~/.bashrc')
      // Every flag can come from the environment too: --trial-timeout is TUNE_TRIAL_TIMEOUT. Flags win.
      .env(ENV_PREFIX)
      .middleware(ignoreForeignEnv(process.env, argv), true)
      .strict()
      .recommendCommands()
      .help()
      .alias('h', 'help')
      .version()
      .wrap(Math.min(110, process.stdout.columns ?? 110))
      .fail((msg, err) => {
        throw err ?? new UsageError(msg);
      })
      .parseAsync();
    return 0;
  } catch (err) {
    return report(err);
  }
}

function report(err: unknown): number {
  if (err instanceof TuneError) {
    process.stderr.write(`tune: ${redactSecrets(err.message)}\n`);
    if (err instanceof UsageError) process.stderr.write('run `tune --help` for usage\n');
    return err.exitCode;
  }
  // Any message may quote a storage URL: its password never reaches the terminal.
  process.stderr.write(`tune: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`);
  return 1;
}
