/** Workers print nothing: console output (tfjs's notices, for instance) is collected and returned as data instead. */
import { format } from 'node:util';

const MAX_LINES = 100;
const METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export interface CapturedConsole {
  /** The lines captured since the last drain, oldest first. */
  drain(): string[];
}

export function captureConsole(): CapturedConsole {
  let lines: string[] = [];
  let dropped = 0;
  for (const method of METHODS) {
    console[method] = (...args: unknown[]): void => {
      if (lines.length < MAX_LINES) lines.push(format(...args).trim());
      else dropped++;
    };
  }
  return {
    drain() {
      const out = dropped > 0 ? [...lines, `(${dropped} more lines dropped)`] : lines;
      lines = [];
      dropped = 0;
      return out;
    },
  };
}
