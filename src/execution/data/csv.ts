/** CSV data: a header row, one label column, every other column a numeric feature. */
import { readFileSync } from 'node:fs';
import { InputError } from '../../core/errors.js';
import type { LabelledData } from './types.js';

/** Split CSV text into rows of fields: quoted fields, "" escapes, CRLF or LF line ends; blank lines are dropped. */
export function parseCsv(text: string): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = []; // 1-based line where each row starts, for error messages
  let field = '';
  let row: string[] = [];
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const endRow = (): void => {
    row.push(field);
    if (row.length > 1 || row[0]!.trim() !== '') {
      rows.push(row);
      lines.push(rowLine);
    }
    row = [];
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') (quoted = true), (field = '');
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
      rowLine = ++line;
    } else field += c;
  }
  if (field !== '' || row.length > 0) endRow();
  return { rows, lines };
}

/** Class indices follow the sorted label values: numerically when every label is a number, else by code point. */
export function classOrder(values: Iterable<string>): string[] {
  const unique = [...new Set(values)];
  const numeric = unique.every((v) => v.trim() !== '' && Number.isFinite(Number(v)));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** One CSV file read: its features (raw) in `featureNames` order, its raw labels, and any extra columns asked for. */
export interface CsvTable {
  readonly file: string;
  readonly featureNames: readonly string[];
  readonly features: Float32Array;
  readonly rawLabels: readonly string[];
  readonly count: number;
  /** The values of each `extra` column, per row (trimmed), e.g. a train/validation split column. */
  readonly extra: Readonly<Record<string, readonly string[]>>;
  /** 1-based line of each data row, for messages. */
  readonly lines: readonly number[];
}

export interface ReadOptions {
  /** Columns that are neither feature nor label (kept as text in `extra`). */
  readonly extra?: readonly string[];
  /** The feature columns, in this order (a validation file must have the training file's columns). */
  readonly features?: readonly string[];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, [{ path: [], message: `cannot read the file: ${(e as Error).message}` }]);
  }
}

/** Reads a CSV file's rows: every check of its shape and values, each an InputError naming the file, row and column. */
export function readCsvTable(file: string, labelColumn: string, options: ReadOptions = {}): CsvTable {
  const { rows, lines } = parseCsv(readText(file).replace(/^\uFEFF/, ''));
  const header = (rows[0] ?? []).map((h) => h.trim());
  if (rows.length < 2) throw new InputError(file, [{ path: [], message: 'expected a header row and at least one data row' }]);
  const column = (name: string, field: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new InputError(file, [{ path: [field], message: `column "${name}" not found; the columns are ${header.join(', ')}` }]);
    return i;
  };
  const labelIndex = column(labelColumn, 'label');
  const extra = options.extra ?? [];
  const extraIndices = extra.map((name) => column(name, 'split'));
  let featureIndices: number[];
  if (options.features !== undefined) {
    featureIndices = options.features.map((name) => column(name, 'columns'));
    const unexpected = header.filter((h, i) => i !== labelIndex && !extraIndices.includes(i) && !options.features!.includes(h));
    if (unexpected.length > 0) throw new InputError(file, [{ path: ['columns'], message: `has columns the training file lacks: ${unexpected.join(', ')}; expected the same columns (${[...options.features, labelColumn].join(', ')})` }]);
  } else {
    featureIndices = header.map((_, i) => i).filter((i) => i !== labelIndex && !extraIndices.includes(i));
  }
  if (featureIndices.length === 0) throw new InputError(file, [{ path: [], message: 'no feature columns besides the label' }]);

  const count = rows.length - 1;
  const features = new Float32Array(count * featureIndices.length);
  const rawLabels: string[] = [];
  const extraValues = extra.map((): string[] => []);
  for (let r = 0; r < count; r++) {
    const fields = rows[r + 1]!;
    const line = lines[r + 1]!;
    if (fields.length !== header.length) {
      throw new InputError(file, [{ path: ['rows', r], message: `has ${fields.length} fields, the header has ${header.length} (line ${line})` }]);
    }
    featureIndices.forEach((col, j) => {
      const raw = fields[col]!.trim();
      const value = Number(raw);
      if (raw === '' || !Number.isFinite(value)) {
        throw new InputError(file, [{ path: ['rows', r, header[col]!], message: `${JSON.stringify(raw)} is not a number (line ${line}, column ${col + 1})` }]);
      }
      features[r * featureIndices.length + j] = value;
    });
    rawLabels.push(fields[labelIndex]!.trim());
    extraIndices.forEach((col, k) => extraValues[k]!.push(fields[col]!.trim()));
  }
  return {
    file, featureNames: featureIndices.map((i) => header[i]!), features, rawLabels, count,
    extra: Object.fromEntries(extra.map((name, k) => [name, extraValues[k]!])), lines: lines.slice(1),
  };
}

/**
 * Class indices for tables read from the same data: the class order is taken over all of them, so a validation
 * file's labels get the training file's indices. A label seen in only one part still gets its own class.
 */
export function labelTables(tables: readonly CsvTable[], labelColumn: string): LabelledData[] {
  const classNames = classOrder(tables.flatMap((t) => t.rawLabels));
  if (classNames.length < 2) throw new InputError(tables[0]!.file, [{ path: ['label'], message: `column "${labelColumn}" has a single value; nothing to classify` }]);
  const index = new Map(classNames.map((name, i) => [name, i]));
  return tables.map((t) => ({
    features: t.features, labels: Int32Array.from(t.rawLabels, (l) => index.get(l)!), count: t.count,
    numFeatures: t.featureNames.length, numClasses: classNames.length, classNames,
  }));
}

/** Read a CSV file into features and class indices. Features are raw here; standardising needs the split first. */
export function loadCsv(file: string, labelColumn: string): LabelledData {
  return labelTables([readCsvTable(file, labelColumn)], labelColumn)[0]!;
}
