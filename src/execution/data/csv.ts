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

/** Read a CSV file into features and class indices. Features are raw here; standardising needs the split first. */
export function loadCsv(file: string, labelColumn: string): LabelledData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(file, [{ path: [], message: `cannot read the file: ${(e as Error).message}` }]);
  }
  const { rows, lines } = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = (rows[0] ?? []).map((h) => h.trim());
  if (rows.length < 2) throw new InputError(file, [{ path: [], message: 'expected a header row and at least one data row' }]);
  const labelIndex = header.indexOf(labelColumn);
  if (labelIndex < 0) throw new InputError(file, [{ path: ['label'], message: `column "${labelColumn}" not found; the columns are ${header.join(', ')}` }]);
  const featureIndices = header.map((_, i) => i).filter((i) => i !== labelIndex);
  if (featureIndices.length === 0) throw new InputError(file, [{ path: [], message: 'no feature columns besides the label' }]);

  const count = rows.length - 1;
  const features = new Float32Array(count * featureIndices.length);
  const rawLabels: string[] = [];
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
  }
  const classNames = classOrder(rawLabels);
  if (classNames.length < 2) throw new InputError(file, [{ path: ['label'], message: `column "${labelColumn}" has a single value; nothing to classify` }]);
  const index = new Map(classNames.map((name, i) => [name, i]));
  const labels = Int32Array.from(rawLabels, (l) => index.get(l)!);
  return { features, labels, count, numFeatures: featureIndices.length, numClasses: classNames.length, classNames };
}
