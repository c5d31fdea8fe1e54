import type { ImportanceOptions, ImportanceScores } from './index.js';
import type { Columns } from './columns.js';

export function pedAnovaImportance(_columns: Columns, _options: ImportanceOptions): ImportanceScores {
  throw new Error('PED-ANOVA: not yet');
}
