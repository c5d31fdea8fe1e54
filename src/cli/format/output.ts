import type { Argv } from 'yargs';
import { stringify as toYaml } from 'yaml';

/** The one `--format` every reading command takes (`top`, `show`, `studies`, `trials`, `export`). */
export const FORMATS = ['table', 'json', 'yaml', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export type Cell = string | number | boolean | null;

/** What a command can print: a value for JSON and YAML, flat rows for CSV, and text for a terminal. */
export interface Printable {
  /** Plain data: JSON and YAML print it as it is. */
  readonly data: unknown;
  /** Flat rows for CSV: one header, cells in its order. */
  readonly rows: () => { readonly header: readonly string[]; readonly rows: readonly (readonly Cell[])[] };
  /** The human-readable text, without a final newline. */
  readonly table: () => string;
}

/** `--format F`, plus `--json`, kept from before `--format` existed as the same as `--format json`. */
export function withFormat<T>(y: Argv<T>, fallback: Format) {
  return y
    .option('format', { choices: FORMATS, default: fallback, describe: 'Output format' })
    .option('json', { type: 'boolean', default: false, describe: 'Same as --format json' });
}

export function chosenFormat(a: { readonly format: Format; readonly json: boolean }): Format {
  return a.json ? 'json' : a.format;
}

export function render(format: Format, out: Printable): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(out.data, null, 2)}\n`;
    case 'yaml':
      return toYaml(out.data);
    case 'csv': {
      const { header, rows } = out.rows();
      return toCsv(header, rows);
    }
    case 'table':
      return `${out.table()}\n`;
  }
}

export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return [header, ...rows].map((r) => r.map((cell) => csvCell(cell === null ? '' : String(cell))).join(',')).join('\n') + '\n';
}

/** RFC 4180: quote cells holding a comma, quote or line break, doubling inner quotes. */
function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** JSON and YAML have no NaN or Infinity: a non-finite number goes out as null. */
export function finiteOrNull(n: number | null): number | null {
  return n !== null && Number.isFinite(n) ? n : null;
}
