import type { ParamValue, Params } from '../../core/types.js';

/** A number short enough for a table cell: 4 significant digits, exponent form for tiny or huge values. */
export function formatNumber(n: number | null): string {
  if (n === null) return '-';
  if (!Number.isFinite(n)) return String(n);
  if (n === 0 || Number.isInteger(n)) return String(n);
  const abs = Math.abs(n);
  return abs < 1e-3 || abs >= 1e5 ? n.toExponential(2) : String(Number(n.toPrecision(4)));
}

export function formatParam(v: ParamValue): string {
  return typeof v === 'number' ? formatNumber(v) : String(v);
}

export function formatParams(params: Params): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${formatParam(v)}`)
    .join(' ');
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
