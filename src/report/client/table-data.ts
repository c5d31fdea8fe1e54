/** The trial table's rows: columns, sorting, filtering by state and brush, and the CSV download. Pure. */
import { formatNumber, paramValue, type Model } from './model.js';

export interface Column {
  readonly key: string;
  readonly label: string;
  /** Sort key and CSV value; null sorts last. */
  readonly value: (i: number) => string | number | boolean | null;
  readonly text: (i: number) => string;
}

export function tableColumns(model: Model): Column[] {
  const t = model.data.trials;
  const num = (f: (i: number) => number | null | undefined, digits = 6) => ({ value: (i: number) => f(i) ?? null, text: (i: number) => formatNumber(f(i), digits) });
  return [
    { key: 'number', label: '#', ...num((i) => t.number[i]) },
    { key: 'state', label: 'state', value: (i) => model.states[i]!, text: (i) => model.states[i]! },
    { key: 'value', label: model.data.study.metric, ...num((i) => t.value[i]) },
    { key: 'epochs', label: 'epochs', ...num((i) => t.epochs[i]) },
    { key: 'rung', label: 'rung', ...num((i) => t.rung[i]) },
    ...model.data.params.map((p): Column => ({
      key: `param:${p.name}`, label: p.name, value: (i) => paramValue(p, i),
      text: (i) => { const v = paramValue(p, i); return typeof v === 'number' ? formatNumber(v, 5) : String(v ?? '–'); },
    })),
    { key: 'duration', label: 'seconds', ...num((i) => (t.started[i] !== null && t.finished[i] !== null ? (t.finished[i]! - t.started[i]!) / 1000 : null), 4) },
    { key: 'error', label: 'error', value: (i) => t.error[i] ?? null, text: (i) => t.error[i] ?? '' },
  ];
}

export interface TableView {
  readonly sortKey: string;
  readonly descending: boolean;
  readonly states: ReadonlySet<string>;
}

/** Row indices that pass the state filter and the brush mask, sorted (ties by trial number). */
export function tableRows(model: Model, columns: readonly Column[], view: TableView, mask: Uint8Array | null): number[] {
  const rows: number[] = [];
  for (let i = 0; i < model.n; i++) if (view.states.has(model.states[i]!) && (mask === null || mask[i] === 1)) rows.push(i);
  const col = columns.find((c) => c.key === view.sortKey) ?? columns[0]!;
  const keys = rows.map((i) => col.value(i));
  const order = rows.map((_, k) => k);
  const dir = view.descending ? -1 : 1;
  order.sort((a, b) => {
    const x = keys[a];
    const y = keys[b];
    if (x === y) return rows[a]! - rows[b]!;
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (x < y ? -1 : 1) * dir;
  });
  return order.map((k) => rows[k]!);
}

function csvCell(v: string | number | boolean | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV of the given rows (those the table shows, in its order) with full-precision values. */
export function toCsv(model: Model, columns: readonly Column[], rows: readonly number[]): string {
  const lines = [columns.map((c) => csvCell(c.key.startsWith('param:') ? c.key.slice(6) : c.key)).join(',')];
  for (const i of rows) lines.push(columns.map((c) => csvCell(c.value(i))).join(','));
  return `${lines.join('\n')}\n`;
}

