/** The report layer: `ReportData` from storage, and the page that draws it (also served by `tune dashboard`). */
import type { StudyRecord } from '../core/types.js';
import type { Storage } from '../storage/types.js';
import type { ReportData } from './data.js';
import { loadReportData, type LoadOptions } from './load.js';
import { renderPage } from './page.js';

export * from './data.js';
export { loadReportData, encodeCurves, storedSearchSpace, type LoadOptions } from './load.js';
export { paramCell, TRIAL_COLUMNS, trialCells } from './load.js';
export { renderPage, echartsScript, VIEWS, type PageOptions } from './page.js';
export { clientBundle, clientDir } from './bundle.js';
export { reportImportance, IMPORTANCE_SAMPLE } from './importance.js';

/** The self-contained report of one study: its data, and the HTML with that data inlined. */
export async function buildReport(storage: Storage, study: StudyRecord, options: LoadOptions = {}): Promise<{ data: ReportData; html: string }> {
  const data = await loadReportData(storage, study, options);
  return { data, html: renderPage({ data }) };
}
