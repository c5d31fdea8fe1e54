import { TRIAL_STATES, type TrialState } from '../../core/types.js';
import { renderTable } from '../format/table.js';
import { formatDuration, formatNumber, formatParams } from '../format/values.js';
import type { SweepStatus } from './status.js';

const STATE_COLOURS: Readonly<Record<TrialState, number>> = { waiting: 2, running: 36, paused: 35, complete: 32, pruned: 33, failed: 31 };

/** Colours a state name, or leaves it as it is without colour (NO_COLOR, or not a terminal). */
export type Paint = (state: TrialState, text: string) => string;
export const plain: Paint = (_state, text) => text;
export const ansi: Paint = (state, text) => `\x1b[${STATE_COLOURS[state]}m${text}\x1b[0m`;

/**
 * The live status table, as Ray Tune's: the sweep, elapsed time and ETA, counts by state, the best so far, and
 * one row per running trial. Colour marks states only. Lines are cut to `columns` so a redraw can count them.
 */
export function renderStatus(s: SweepStatus, now: number, paint: Paint, columns: number): string[] {
  const eta = s.etaMs(now);
  const sps = s.samplesPerSecond(now);
  const counts = s.counts();
  const lines = [
    `== study ${s.study} · ${s.strategy} · ${s.metric} (${s.direction}) · ${s.backend} · ${s.workers} worker${s.workers === 1 ? '' : 's'} ==`,
    `elapsed ${formatDuration(s.elapsedMs(now))} · ETA ${eta === null ? '-' : formatDuration(eta)} · epochs ${s.epochsDone()}/${s.expectedEpochs()}` +
      ` · samples/s ${sps === null ? '-' : formatNumber(Math.round(sps))}`,
    `trials ${s.trials.size}/${s.maxTrials}: ` +
      (TRIAL_STATES.filter((st) => counts[st] > 0).map((st) => paint(st, `${counts[st]} ${st}`)).join(', ') || 'none started yet'),
    s.best === null ? 'best: none yet' : `best #${s.best.number} ${s.metric}=${formatNumber(s.best.value)}  ${formatParams(s.best.params)}`,
  ];
  const running = s.running();
  if (running.length > 0) {
    const rows = running.map((t) => [
      `#${t.number}`,
      `${t.epochs}/${t.budget}`,
      t.rung === null ? '-' : String(t.rung),
      formatNumber(t.epochs > 0 ? t.value : null),
      t.startedMs === null ? '-' : formatDuration(now - t.startedMs),
      formatParams(t.params),
    ]);
    const table = renderTable(['trial', 'epoch', 'rung', s.metric, 'elapsed', 'params'], rows).split('\n');
    lines.push('', ...table);
  }
  return lines.map((l) => cut(l, columns));
}

/** Cuts a line to `columns` visible characters, leaving colour codes whole. */
function cut(line: string, columns: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= columns - 1) return line.includes('\x1b') ? `${out}\x1b[0m` : out;
    out += line[i];
    visible++;
  }
  return out;
}
