import { TuneError, type ErrorCode } from '../core/errors.js';
import { runSweep, StopController, type SweepOptions } from '../engine/index.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage } from '../storage/index.js';
import { renderLeaderboard } from './format/leaderboard.js';
import { formatDuration } from './format/values.js';
import { progressPrinter } from './progress.js';
import { handleSignals } from './signals.js';

/** A sweep that ended early: the CLI exits with this code after printing how to resume. */
export class SweepStopped extends TuneError {
  static override readonly defaultCode: ErrorCode = 'stopped';
  constructor(
    message: string,
    override readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Runs a sweep with progress lines and signal handling, then prints the leaderboard, or how to resume. */
export async function runAndReport(space: SearchSpace, options: SweepOptions, top: number): Promise<void> {
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const storagePath = options.storage ?? 'results/tune.db';
  const resumeHint = `tune resume --study ${space.name}${storagePath === 'results/tune.db' ? '' : ` --storage ${storagePath}`}`;
  const stop = new StopController();
  const unhook = handleSignals(stop, log, resumeHint);
  let result;
  try {
    result = await runSweep(space, { ...options, stop, onEvent: progressPrinter(log, space.objective.metric) });
  } finally {
    unhook();
  }
  log(`\nran ${result.ran} trial(s) in ${formatDuration(result.elapsedMs)}; ${result.trials.length} stored in ${storagePath}\n`);
  const storage = openStorage(storagePath);
  try {
    log(renderLeaderboard(result.study, await storage.leaderboard(result.study.id, top)));
  } finally {
    await storage.close();
  }
  switch (result.stopped) {
    case null:
      log(`\nexport the best: tune export --study ${result.study.name} --top 3 --format yaml`);
      return;
    case 'deadline':
      log(`\ntime budget reached; running trials were paused. Resume with: ${resumeHint}`);
      return;
    case 'max-failures':
      throw new SweepStopped(`stopped after ${result.failed} failed trials (--max-failures); see \`tune top --study ${space.name}\` for their reasons. Resume with: ${resumeHint}`, 1);
    case 'SIGINT':
    case 'SIGTERM':
      throw new SweepStopped(`interrupted (${result.stopped}); resume with: ${resumeHint}`, result.stopped === 'SIGINT' ? 130 : 143);
  }
}
