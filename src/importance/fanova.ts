import type { ImportanceOptions, ImportanceScores } from './index.js';
import type { Columns } from './columns.js';

export function fanovaImportance(_columns: Columns, _options: ImportanceOptions): ImportanceScores {
  throw new Error('fANOVA: not yet');
}
