import type { TrialRecord } from '../../core/types.js';
import type { SweepEvent } from '../../engine/index.js';
import { ansi, plain, renderStatus } from './render.js';
import { SweepStatus } from './status.js';

export interface LiveTerminal {
  readonly onEvent: (event: SweepEvent) => void;
  /** Prints a line above the table (a failure, a warning, a signal's message) and redraws the table below it. */
  readonly say: (line: string) => void;
  /** Stored trials of a continued study, read after the sweep started. */
  readonly seed: (stored: readonly TrialRecord[]) => void;
  /** Draws the table a last time and stops redrawing; it stays on screen above what follows. */
  readonly close: () => void;
}

/** NO_COLOR (https://no-color.org): any non-empty value turns colour off. */
export function colourWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['NO_COLOR'] ?? '') === '';
}

/**
 * The status table on a terminal, redrawn in place at most once a second (and at once when a trial starts or
 * ends the first time in a second): the cursor goes back up over the last drawing, which is cleared and redrawn.
 */
export function liveTerminal(out: NodeJS.WriteStream, epochBudget: number, metric: string, colour: boolean): LiveTerminal {
  const status = new SweepStatus(epochBudget, metric, Date.now());
  const paint = colour ? ansi : plain;
  let drawn = 0;
  let lastDraw = 0;
  let dirty = false;
  let started = false;
  const erase = () => {
    if (drawn > 0) out.write(`\x1b[${drawn}A\r\x1b[J`);
    drawn = 0;
  };
  const draw = () => {
    if (!started) return;
    // A terminal that reports no size (0 columns, as under `script`) gets a common width.
    const lines = renderStatus(status, Date.now(), paint, out.columns > 20 ? out.columns : 120);
    erase();
    out.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
    lastDraw = Date.now();
    dirty = false;
  };
  // The clock moves even when no event comes: elapsed times and the ETA tick once a second.
  const timer = setInterval(() => (dirty || started) && draw(), 1000);
  timer.unref();
  return {
    onEvent: (event) => {
      status.apply(event, Date.now());
      if (event.type === 'start') started = true;
      if (event.type === 'trial-end' && event.trial.state === 'failed') {
        const e = event.trial.error;
        erase();
        out.write(`#${event.trial.number} failed (${e?.kind ?? 'unknown'}): ${e?.message ?? ''}\n`);
        draw();
        return;
      }
      dirty = true;
      if (Date.now() - lastDraw >= 1000) draw();
    },
    say: (line) => {
      erase();
      out.write(`${line}\n`);
      draw();
    },
    seed: (stored) => {
      status.seed(stored);
      dirty = true;
    },
    close: () => {
      clearInterval(timer);
      draw();
    },
  };
}
