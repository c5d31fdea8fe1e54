export { startDashboard, type Dashboard, type DashboardOptions, type RenderPage } from './server.js';
export type { BuildData } from './feed.js';
export { liveReportData, IMPORTANCE_EVERY_MS } from './live-data.js';
