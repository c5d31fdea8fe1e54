/**
 * The page's working copy of a `ReportData`: curves decoded once, signs and best trials worked out once, so every
 * chart builder is a cheap pass over typed columns. Pure (no DOM, no Node): unit-tested in Node, run in the page.
 */
import { STATE_NAMES, type ParamColumn, type ReportData } from '../data.js';

export const STATE_COLORS: Readonly<Record<string, string>> = {
  complete: '#2f7ed8', pruned: '#f28f43', paused: '#8bbc21', running: '#910000', waiting: '#a0a0a0', failed: '#d62728',
};

export interface Model {
  readonly data: ReportData;
  readonly n: number;
  /** +1 when higher is better, -1 for minimize: `sign * value` is "higher is better". */
  readonly sign: 1 | -1;
  readonly curves: Float32Array;
  readonly states: readonly string[];
  /** Trial index of the best finished trial with a finite value (complete first, then any), or -1. */
  readonly best: number;
  /** Trials with a finite objective value. */
  readonly withValue: number;
}

export function decodeCurves(base64: string): Float32Array {
  if (base64.length === 0) return new Float32Array(0);
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer, 0, bytes.length >> 2);
}

export function buildModel(data: ReportData): Model {
  const sign = data.study.direction === 'maximize' ? 1 : -1;
  const t = data.trials;
  let best = -1;
  let bestComplete = false;
  let withValue = 0;
  for (let i = 0; i < data.trialCount; i++) {
    const v = t.value[i];
    if (v === null || v === undefined) continue;
    withValue++;
    const complete = STATE_NAMES[t.state[i]!] === 'complete';
    const better = best < 0 || (complete && !bestComplete) || (complete === bestComplete && sign * v > sign * t.value[best]!);
    if (better) {
      best = i;
      bestComplete = complete;
    }
  }
  return {
    data, n: data.trialCount, sign, curves: decodeCurves(data.curves.values),
    states: t.state.map((s) => STATE_NAMES[s] ?? 'waiting'), best, withValue,
  };
}

/** A trial's learning curve (epoch 1 first) as a view into the decoded buffer. */
export function curveOf(model: Model, i: number): Float32Array {
  const o = model.data.curves.offsets;
  return model.curves.subarray(o[i]!, o[i + 1]!);
}

/** A param's value for display and CSV: the number, or the category it indexes; '' when the trial lacks it. */
export function paramValue(p: ParamColumn, i: number): string | number | boolean | null {
  const v = p.values[i];
  if (v === null || v === undefined) return null;
  return p.choices === null ? v : (p.choices[v] ?? null);
}

export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e6)) return v.toExponential(digits - 1);
  return Number.isInteger(v) ? String(v) : v.toPrecision(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
}

/** The indices of trials that pass `mask` (all when mask is null). */
export function selectedIndices(model: Model, mask: Uint8Array | null): number[] {
  const out: number[] = [];
  for (let i = 0; i < model.n; i++) if (mask === null || mask[i] === 1) out.push(i);
  return out;
}

export function paramsText(model: Model, i: number): string {
  return model.data.params.map((p) => `${p.name} = ${String(paramValue(p, i) ?? '–')}`).join('\n');
}

/** A wall-time unit that keeps axis numbers readable: seconds under 10 min, minutes under 10 h, else hours. */
export function timeUnit(maxMs: number): { readonly label: string; readonly ms: number } {
  if (maxMs < 600_000) return { label: 's', ms: 1000 };
  if (maxMs < 36_000_000) return { label: 'min', ms: 60_000 };
  return { label: 'h', ms: 3_600_000 };
}
