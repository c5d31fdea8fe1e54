import type { TrialRecord } from '../core/types.js';
import type { SweepEvent } from '../engine/index.js';
import { openStorage } from '../storage/index.js';
import { colourWanted, liveTerminal } from './live/terminal.js';
import { progressPrinter } from './progress.js';

/** How a sweep shows its progress: `--progress`, or `-q` for none. */
export const PROGRESS_MODES = ['tty', 'lines', 'none', 'json'] as const;
export type ProgressMode = (typeof PROGRESS_MODES)[number];

/** The live table on a terminal, today's lines anywhere else, unless `--progress` or `-q` says otherwise. */
export function progressMode(flag: ProgressMode | undefined, quiet: boolean, stdoutIsTty: boolean): ProgressMode {
  if (flag !== undefined) return flag;
  if (quiet) return 'none';
  return stdoutIsTty ? 'tty' : 'lines';
}

/** Where a sweep's events and messages go, by progress mode. */
export interface Reporter {
  readonly onEvent: (event: SweepEvent) => void;
  /** A message for the user (signals, hints): beside the progress on a terminal, on stderr when stdout is data. */
  readonly say: (line: string) => void;
  /** The closing summary and leaderboard: printed, except in JSON mode, where `end` carries them as data. */
  readonly summary: (text: string) => void;
  /** JSON mode's last object; nothing in the other modes. */
  readonly end: (data: Record<string, unknown>) => void;
  readonly close: () => void;
}

const stdoutLine = (line: string) => process.stdout.write(`${line}\n`);
const stderrLine = (line: string) => process.stderr.write(`${line}\n`);

export function createReporter(mode: ProgressMode, o: { readonly metric: string; readonly epochBudget: number; readonly storage: string }): Reporter {
  switch (mode) {
    case 'lines':
      return { onEvent: progressPrinter(stdoutLine, o.metric), say: stdoutLine, summary: stdoutLine, end: () => {}, close: () => {} };
    case 'tty': {
      const live = liveTerminal(process.stdout, o.epochBudget, o.metric, colourWanted());
      // The start's header, GPU and warning lines and the recovery notes print once, above the table, as in lines mode.
      const once = progressPrinter(live.say, o.metric);
      return {
        onEvent: (event) => {
          if (event.type === 'start' || event.type === 'recovered') once(event);
          live.onEvent(event);
          if (event.type === 'start' && event.existing > 0 && o.storage !== ':memory:') {
            void storedTrials(o.storage, event.study.id).then(live.seed, () => {});
          }
        },
        say: live.say,
        summary: stdoutLine,
        end: () => {},
        close: live.close,
      };
    }
    case 'none':
      return { onEvent: errorsOnly, say: stderrLine, summary: stdoutLine, end: () => {}, close: () => {} };
    case 'json':
      return {
        onEvent: (event) => stdoutLine(JSON.stringify({ ...event, time: new Date().toISOString() })),
        say: stderrLine,
        summary: () => {},
        end: (data) => stdoutLine(JSON.stringify({ type: 'end', ...data, time: new Date().toISOString() })),
        close: () => {},
      };
  }
}

/** `--progress none`: failed trials and backend warnings, on stderr. */
function errorsOnly(event: SweepEvent): void {
  if (event.type === 'start') for (const w of event.backend.warnings) stderrLine(`warning: ${w}`);
  if (event.type === 'trial-end' && event.trial.state === 'failed') {
    stderrLine(`#${event.trial.number} failed (${event.trial.error?.kind ?? 'unknown'}): ${event.trial.error?.message ?? ''}`);
  }
}

/** A second, read-only connection: the sweep writes in WAL mode, so reading beside it is safe. */
async function storedTrials(path: string, study: number): Promise<readonly TrialRecord[]> {
  const storage = openStorage(path, { readonly: true });
  try {
    return await storage.trials(study);
  } finally {
    await storage.close();
  }
}
