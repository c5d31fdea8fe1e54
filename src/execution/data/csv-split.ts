/**
 * A CSV task's train/validation split: a random one (`validationSplit`, fixed by the study seed), a separate
 * validation file with the same columns, or a column that marks each row. Users bring the split they already use.
 */
import { InputError } from '../../core/errors.js';
import type { CsvDataSpec } from '../../space/types.js';
import { labelTables, readCsvTable } from './csv.js';
import { splitData, takeRows } from './split.js';
import type { SplitData } from './types.js';

/** Accepted values of a split column, compared trimmed and case-insensitively. */
export const SPLIT_VALUES = { train: ['train', 'training'], validation: ['validation', 'val', 'valid'] } as const;

function roleOf(value: string): 'train' | 'validation' | undefined {
  const v = value.toLowerCase();
  if ((SPLIT_VALUES.train as readonly string[]).includes(v)) return 'train';
  if ((SPLIT_VALUES.validation as readonly string[]).includes(v)) return 'validation';
  return undefined;
}

/** The rows a split column marks train and validation; each part must have at least one row. */
function byColumn(spec: CsvDataSpec & { readonly split: string }): SplitData {
  const table = readCsvTable(spec.csv, spec.label, { extra: [spec.split] });
  const marks = table.extra[spec.split]!;
  const parts = { train: [] as number[], validation: [] as number[] };
  marks.forEach((mark, r) => {
    const role = roleOf(mark);
    if (role === undefined) {
      const accepted = [...SPLIT_VALUES.train, ...SPLIT_VALUES.validation].join(', ');
      throw new InputError(spec.csv, [{ path: ['rows', r, spec.split], message: `expected one of ${accepted}, got ${JSON.stringify(mark)} (line ${table.lines[r]})` }]);
    }
    parts[role].push(r);
  });
  for (const role of ['train', 'validation'] as const) {
    if (parts[role].length === 0) throw new InputError(spec.csv, [{ path: [spec.split], message: `no row is marked ${role}; expected at least one of each (${SPLIT_VALUES[role].join(', ')})` }]);
  }
  const [data] = labelTables([table], spec.label);
  const take = (rows: number[]) => takeRows(data!, Int32Array.from(rows));
  return { train: take(parts.train), validation: take(parts.validation) };
}

/** The training file and a validation file with the same columns (in any order). */
function byFile(spec: CsvDataSpec & { readonly validation: { readonly csv: string } }): SplitData {
  const train = readCsvTable(spec.csv, spec.label);
  const validation = readCsvTable(spec.validation.csv, spec.label, { features: train.featureNames });
  const [t, v] = labelTables([train, validation], spec.label);
  return { train: t!, validation: v! };
}

/** Raw (not yet standardised) train and validation rows of a CSV task. */
export function splitCsv(spec: CsvDataSpec, validationSplit: number, splitSeed: number): SplitData {
  if (spec.validation !== undefined) return byFile({ ...spec, validation: spec.validation });
  if (spec.split !== undefined) return byColumn({ ...spec, split: spec.split });
  const [data] = labelTables([readCsvTable(spec.csv, spec.label)], spec.label);
  return splitData(data!, validationSplit, splitSeed);
}
