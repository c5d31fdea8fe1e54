/**
 * The 50 ms-sleep row of issue 13 §8 (`npm run bench -- postgres --only sleep [--sleep-trials N] [--sleep-ms MS]`): one PostgreSQL
 * study, 16 workers in 4 real processes from dist/ (`tune --workers 4` and, once it has stored the study, 3×
 * `tune worker --workers 4`), a task module whose objective sleeps 50 ms per trial. Wall time against the ideal,
 * trials × 50 ms / 16, twice: from the first spawn to the last exit (process and worker-thread startup included),
 * and from the first trial's start to the last trial's end as stored (startup excluded). Target: ≤ 5 % over ideal.
 * TUNE_BENCH_NODE_ARGS (space-separated) goes to each tuner's node, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { fmt, pct, printTable, tempDir } from './lib/common.js';

const WORKERS_PER_PROCESS = 4;
const PROCESSES = 4;
const nodeArgs = (process.env.TUNE_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const CLI = join(fileURLToPath(import.meta.url), '../../../dist/cli/main.js');

function exited(args: readonly string[]): { done: Promise<number>; output: () => string } {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { done: new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1))), output: () => out };
}

async function query<R extends pg.QueryResultRow>(url: string, sql: string, args: unknown[] = []): Promise<R[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<R>(sql, args)).rows;
  } finally {
    await c.end();
  }
}

export async function sleepBench(
  _base: string, trials: number, sleepMs: number, withDatabase: <T>(fn: (url: string, name: string) => Promise<T>) => Promise<T>,
): Promise<Record<string, unknown>> {
  if (!existsSync(CLI)) throw new Error(`postgres bench --only sleep runs ${CLI}: npm run build first`);
  const dir = tempDir('pg-sleep');
  writeFileSync(join(dir, 'sleep.mjs'), `export async function objective(params, trial) {
  await new Promise((r) => setTimeout(r, Number(params.wait)));
  await trial.report(1, params.x);
  return params.x;
}
`);
  const space = join(dir, 'sleep50.json');
  writeFileSync(space, JSON.stringify({
    name: `sleep${sleepMs}`, objective: { metric: 'loss', direction: 'minimize' }, task: { module: './sleep.mjs', epochs: 1 },
    params: { x: { type: 'float', min: 0, max: 1 }, wait: sleepMs }, strategy: { type: 'random', trials }, seed: 5,
  }));
  const row = await withDatabase(async (url) => {
    const common = ['--storage', url, '--workers', String(WORKERS_PER_PROCESS), '--progress', 'none'];
    const t0 = performance.now();
    const runs = [exited(['--space', space, ...common])];
    // `tune worker` joins a stored study: start the others once the first has stored its definition.
    const deadline = Date.now() + 120_000;
    for (;;) {
      const ready = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = $1', ['studies']);
      if (ready[0]!.n > 0 && (await query(url, 'SELECT 1 FROM studies WHERE name = $1 AND definition IS NOT NULL', [`sleep${sleepMs}`])).length > 0) break;
      if (Date.now() > deadline) throw new Error(`the first tuner stored no study within 120 s: ${runs[0]!.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (let i = 1; i < PROCESSES; i++) runs.push(exited(['worker', '--study', `sleep${sleepMs}`, ...common]));
    const codes = await Promise.all(runs.map((r) => r.done));
    const wallMs = performance.now() - t0;
    codes.forEach((code, i) => {
      if (code !== 0) throw new Error(`tuner ${i} exited ${code}: ${runs[i]!.output()}`);
    });
    const [span] = await query<{ n: number; complete: number; first: string; last: string; processes: number }>(url, `
      SELECT count(*)::int AS n, count(*) FILTER (WHERE state = 'complete')::int AS complete,
             min(started_at) AS first, max(finished_at) AS last, count(DISTINCT worker)::int AS processes
      FROM trials`);
    const trialSpanMs = Date.parse(span!.last) - Date.parse(span!.first);
    // Per process: how many trials, and when its first started and its last ended (s after the first trial).
    const perProcess = await query<{ worker: string; n: number; first: string; last: string }>(url, `
      SELECT worker, count(*)::int AS n, min(started_at) AS first, max(finished_at) AS last FROM trials GROUP BY worker ORDER BY min(started_at)`);
    const at = (iso: string): string => fmt((Date.parse(iso) - Date.parse(span!.first)) / 1000);
    process.stdout.write(`${perProcess.map((p, i) => `process ${i + 1}: ${p.n} trials, from ${at(p.first)} s to ${at(p.last)} s`).join('\n')}\n`);
    // Steady state: the window in which every process was running trials (after the last one started up, before
    // the first one ran out), and the trials that ran wholly inside it.
    const from = Math.max(...perProcess.map((p) => Date.parse(p.first)));
    const to = Math.min(...perProcess.map((p) => Date.parse(p.last)));
    const [inside] = await query<{ n: number }>(url, 'SELECT count(*)::int AS n FROM trials WHERE started_at >= $1 AND finished_at <= $2', [
      new Date(from).toISOString(), new Date(to).toISOString(),
    ]);
    const steady = { windowMs: Math.max(0, to - from), trials: inside!.n };
    // Where a slot's time goes: a trial's stored run (claimed at its create, to its finish: the sleep, the dispatch to
    // a worker thread, the report and the finish) and, per slot, the gap between one trial's finish and the next's start.
    const [median] = await query<{ ms: number }>(url, `
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM finished_at::timestamptz - started_at::timestamptz) * 1000) AS ms
      FROM trials WHERE started_at >= $1 AND finished_at <= $2`, [new Date(from).toISOString(), new Date(to).toISOString()]);
    const trialMs = median!.ms;
    return { wallMs, trialSpanMs, stored: span!.n, complete: span!.complete, processes: span!.processes, steady, trialMs };
  });
  const idealMs = (trials * sleepMs) / (WORKERS_PER_PROCESS * PROCESSES);
  const over = (ms: number): number => ms / idealMs - 1;
  process.stdout.write(`\n${sleepMs} ms-sleep objective, ${trials} trials, ${WORKERS_PER_PROCESS * PROCESSES} workers in ${PROCESSES} processes (tune + ${PROCESSES - 1}× tune worker) on one PostgreSQL study\n`);
  printTable(['measured', 'wall s', 'ideal s', 'over ideal', 'target'], [
    ['first spawn to last exit (startup included)', fmt(row.wallMs / 1000), fmt(idealMs / 1000), pct(over(row.wallMs)), '≤ 5.0%'],
    ['first trial start to last trial end (stored)', fmt(row.trialSpanMs / 1000), fmt(idealMs / 1000), pct(over(row.trialSpanMs)), '≤ 5.0%'],
  ]);
  // The ideal rate is one trial per sleepMs per worker; over ideal = ideal rate / measured rate - 1.
  const idealRate = (WORKERS_PER_PROCESS * PROCESSES * 1000) / sleepMs;
  const rate = row.steady.windowMs > 0 ? (row.steady.trials * 1000) / row.steady.windowMs : NaN;
  process.stdout.write(`steady state (all ${PROCESSES} processes running, ${fmt(row.steady.windowMs / 1000)} s, ${row.steady.trials} trials): ` +
    `${fmt(rate)} trials/s against the ideal ${fmt(idealRate)}: ${Number.isFinite(rate) ? pct(idealRate / rate - 1) : 'n/a'} over ideal\n`);
  const slotMs = (WORKERS_PER_PROCESS * PROCESSES * 1000) / rate;
  process.stdout.write(`per slot, steady state: a trial every ${fmt(slotMs)} ms; stored run (create to finish) median ${fmt(row.trialMs)} ms ` +
    `(${fmt(row.trialMs - sleepMs)} ms beyond the sleep); between trials ${fmt(slotMs - row.trialMs)} ms\n`);
  process.stdout.write(`stored ${row.stored} trials, ${row.complete} complete, run by ${row.processes} processes\n`);
  return {
    sleepTrials: trials, sleepMs: sleepMs, idealMs, ...row, overWithStartup: over(row.wallMs), overTrials: over(row.trialSpanMs),
    steadyTrialsPerSecond: rate, steadyOver: idealRate / rate - 1, slotMs, betweenTrialsMs: slotMs - row.trialMs,
  };
}
