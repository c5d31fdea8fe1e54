/// <reference lib="dom" />
/**
 * The trial table, virtualised: only the rows in view (plus a margin) are in the DOM, positioned over a spacer as
 * tall as all rows, so 100,000 rows scroll as smoothly as 100. Header clicks sort; state boxes filter; CSV downloads.
 */
import { STATE_NAMES } from '../data.js';
import type { Model } from './model.js';
import { escapeHtml } from './summary.js';
import { tableColumns, tableRows, toCsv, type Column, type TableView } from './table-data.js';

export const ROW_HEIGHT = 24;
const MARGIN_ROWS = 10;

export class TrialTable {
  private model: Model | null = null;
  private columns: Column[] = [];
  private rows: number[] = [];
  private mask: Uint8Array | null = null;
  private view: TableView = { sortKey: 'number', descending: false, states: new Set(STATE_NAMES) };
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLTableSectionElement;
  private readonly head: HTMLTableSectionElement;
  private readonly count: HTMLElement;
  private frame = 0;
  private headHtml = '';

  constructor(private readonly root: HTMLElement) {
    root.innerHTML = `<div class="table-tools"><span class="state-filter"></span><span class="row-count"></span><button type="button" class="csv">Download CSV</button></div>
<div class="table-scroll"><div class="table-spacer"><table class="trials"><thead></thead><tbody></tbody></table></div></div>`;
    this.scroller = root.querySelector('.table-scroll')!;
    this.spacer = root.querySelector('.table-spacer')!;
    this.head = root.querySelector('thead')!;
    this.body = root.querySelector('tbody')!;
    this.count = root.querySelector('.row-count')!;
    const filter = root.querySelector('.state-filter')!;
    filter.innerHTML = STATE_NAMES.map((s) => `<label><input type="checkbox" value="${s}" checked> ${s}</label>`).join(' ');
    filter.addEventListener('change', () => {
      const states = new Set<string>();
      filter.querySelectorAll<HTMLInputElement>('input:checked').forEach((c) => states.add(c.value));
      this.view = { ...this.view, states };
      this.refresh();
    });
    this.head.addEventListener('click', (e) => {
      const key = (e.target as HTMLElement).closest<HTMLElement>('th')?.dataset.key;
      if (key === undefined) return;
      this.view = { ...this.view, descending: this.view.sortKey === key ? !this.view.descending : false, sortKey: key };
      this.refresh();
    });
    root.querySelector('.csv')!.addEventListener('click', () => this.download());
    this.scroller.addEventListener('scroll', () => {
      cancelAnimationFrame(this.frame);
      this.frame = requestAnimationFrame(() => this.paint());
    });
  }

  setModel(model: Model, mask: Uint8Array | null): void {
    this.model = model;
    this.columns = tableColumns(model);
    this.mask = mask;
    this.refresh();
  }

  setMask(mask: Uint8Array | null): void {
    this.mask = mask;
    this.refresh();
  }

  /** Rows shown after filters, in order (trial indices). */
  shownRows(): readonly number[] {
    return this.rows;
  }

  private refresh(): void {
    if (this.model === null) return;
    // The scroll position read before this refresh's DOM writes: reading it after them forced a layout per brush.
    const scroll = this.scrollWindow();
    this.rows = tableRows(this.model, this.columns, this.view, this.mask);
    this.count.textContent = `${this.rows.length.toLocaleString('en')} of ${this.model.n.toLocaleString('en')} trials`;
    this.root.dataset.rows = String(this.rows.length);
    const arrow = this.view.descending ? ' ▼' : ' ▲';
    const head = `<tr>${this.columns.map((c) => `<th data-key="${escapeHtml(c.key)}">${escapeHtml(c.label)}${c.key === this.view.sortKey ? arrow : ''}</th>`).join('')}</tr>`;
    // Unchanged (a brush): left as it is, so the header cells aren't laid out again.
    if (head !== this.headHtml) this.head.innerHTML = this.headHtml = head;
    this.spacer.style.height = `${(this.rows.length + 1) * ROW_HEIGHT}px`;
    this.paint(scroll);
  }

  /** The first row to put in the DOM and how many, from the scroll position. */
  private scrollWindow(): { first: number; visible: number } {
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_HEIGHT) - MARGIN_ROWS);
    return { first, visible: Math.ceil((this.scroller.clientHeight || 480) / ROW_HEIGHT) + 2 * MARGIN_ROWS };
  }

  private paint(at = this.scrollWindow()): void {
    const { visible } = at;
    // Fewer rows than the old scroll position reaches: the browser clamps it at the next layout (and fires `scroll`);
    // until then the last rows are the ones in view.
    const first = Math.min(at.first, Math.max(0, this.rows.length - visible));
    const slice = this.rows.slice(first, first + visible);
    this.body.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    if (this.reuseRows(slice)) return;
    this.body.innerHTML = slice
      .map((i) => `<tr class="state-${this.model!.states[i]}">${this.columns.map((c) => `<td>${escapeHtml(c.text(i))}</td>`).join('')}</tr>`)
      .join('');
  }

  /**
   * The same number of rows and columns as in the DOM (a brush or a scroll, mostly): only the cells' text and the
   * rows' classes change, so the browser lays out changed text instead of building every cell anew. False otherwise.
   */
  private reuseRows(slice: readonly number[]): boolean {
    const trs = this.body.rows;
    if (trs.length !== slice.length || slice.length === 0 || trs[0]!.cells.length !== this.columns.length) return false;
    slice.forEach((i, r) => {
      const tr = trs[r]!;
      const cls = `state-${this.model!.states[i]}`;
      if (tr.className !== cls) tr.className = cls;
      this.columns.forEach((c, k) => {
        const td = tr.cells[k]!;
        const text = c.text(i);
        if (td.textContent !== text) td.textContent = text;
      });
    });
    return true;
  }

  private download(): void {
    if (this.model === null) return;
    const blob = new Blob([toCsv(this.model, this.columns, this.rows)], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${this.model.data.study.name}-trials.csv`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }
}
