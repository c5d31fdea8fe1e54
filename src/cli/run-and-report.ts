import { TuneError, type ErrorCode } from '../core/errors.js';
import { planSweep, runSweep, StopController, type SweepOptions } from '../engine/index.js';
import type { SearchSpace } from '../space/types.js';
import { openStorage, redactUrl } from '../storage/index.js';
import { toExported } from './format/export.js';
import { renderLeaderboard } from './format/leaderboard.js';
import { formatDuration } from './format/values.js';
import { createReporter, type ProgressMode } from './reporter.js';
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

/** Runs a sweep with progress (lines, a live table, NDJSON or nothing) and signal handling, then prints the leaderboard, or how to resume. */
export async function runAndReport(space: SearchSpace, options: SweepOptions, top: number, progress: ProgressMode = 'lines'): Promise<void> {
  const storagePath = options.storage ?? 'results/tune.db';
  const reporter = createReporter(progress, {
    metric: space.objective.metric,
    epochBudget: planSweep(space, options.trials).epochBudget,
    storage: storagePath,
  });
  const resumeHint = `tune resume --study ${space.name}${storagePath === 'results/tune.db' ? '' : ` --storage ${redactUrl(storagePath)}`}`;
  const stop = new StopController();
  const unhook = handleSignals(stop, reporter.say, resumeHint);
  let result;
  try {
    result = await runSweep(space, { ...options, stop, onEvent: reporter.onEvent });
  } finally {
    unhook();
    reporter.close();
  }
  reporter.summary(`\nran ${result.ran} trial(s) in ${formatDuration(result.elapsedMs)}; ${result.trials.length} stored in ${redactUrl(storagePath)}\n`);
  const storage = openStorage(storagePath);
  try {
    const ranked = await storage.leaderboard(result.study.id, top);
    reporter.summary(renderLeaderboard(result.study, ranked));
    reporter.end({
      study: result.study.name, ran: result.ran, failed: result.failed, stored: result.trials.length, elapsedMs: result.elapsedMs, stopped: result.stopped,
      leaderboard: toExported(result.study, ranked).map((c, i) => ({ ...c, state: ranked[i]!.trial.state })),
    });
  } finally {
    await storage.close();
  }
  // Every trial this run finished failed: nothing was learnt, and a script or scheduler must see it (exit 1).
  if (result.ran > 0 && result.failed === result.ran && (result.stopped === null || result.stopped === 'deadline')) {
    throw new SweepStopped(`every trial of this run failed (${result.failed} of ${result.ran}); see why with: tune trials --study ${result.study.name} --state failed${storagePath === 'results/tune.db' ? '' : ` --storage ${storagePath}`}`, 1);
  }
  switch (result.stopped) {
    case null:
      reporter.summary(`\nexport the best: tune export --study ${result.study.name} --top 3 --format yaml`);
      return;
    case 'deadline':
      reporter.say(`\ntime budget reached; running trials were paused. Resume with: ${resumeHint}`);
      return;
    case 'max-failures':
      throw new SweepStopped(`stopped after ${result.failed} failed trials (--max-failures); see \`tune top --study ${space.name}\` for their reasons. Resume with: ${resumeHint}`, 1);
    case 'SIGINT':
    case 'SIGTERM':
      throw new SweepStopped(`interrupted (${result.stopped}); resume with: ${resumeHint}`, result.stopped === 'SIGINT' ? 130 : 143);
  }
}
