/** The page's stylesheet, inlined by `renderPage`. */
export const PAGE_CSS = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;background:#f6f7f9}
header{position:sticky;top:0;z-index:10;background:#1f2d3d;color:#fff;padding:8px 16px}
header h1{margin:0 0 4px;font-size:18px}
nav a{color:#cfe3ff;margin-right:12px;text-decoration:none;font-size:13px}
main{padding:12px 16px;max-width:1500px;margin:auto}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;margin:0 0 14px;padding:10px 14px}
section h2{margin:0 0 4px;font-size:16px}
.hint,.note{margin:2px 0;color:#555;font-size:12px}
.empty{margin:24px 0;padding:24px;text-align:center;color:#666;background:#f3f4f6;border-radius:4px}
.chart{width:100%;height:420px}
.chart-slices{height:560px}
.chart-parallel{height:460px}
.chart-timeline{height:360px}
.detail{background:#f3f4f6;padding:8px;font-size:12px;white-space:pre-wrap}
table.kv{border-collapse:collapse;margin:4px 0}
table.kv th{text-align:left;padding:2px 12px 2px 0;color:#555;font-weight:600;vertical-align:top}
table.kv td{padding:2px 0}
.state{display:inline-block;padding:0 6px;margin-right:4px;border-radius:8px;background:#eef;font-size:12px}
.state-failed{background:#fde2e2}.state-pruned{background:#fdebd8}.state-complete{background:#dceaf9}
.table-tools{display:flex;gap:16px;align-items:center;margin-bottom:6px;flex-wrap:wrap}
.table-tools label{margin-right:6px}
.table-scroll{height:480px;overflow:auto;border:1px solid #dde1e6;position:relative}
table.trials{width:100%;border-collapse:collapse;table-layout:fixed;font-size:12px;font-variant-numeric:tabular-nums}
table.trials th{position:sticky;top:0;background:#eef1f5;cursor:pointer;text-align:left;padding:0 6px;height:24px;z-index:1;white-space:nowrap;overflow:hidden}
table.trials td{padding:0 6px;height:24px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;border-top:1px solid #f0f0f0}
table.trials tr.state-failed td{color:#b00}
.boot-error{background:#fde2e2;color:#900;padding:12px;margin:0}
`;
