/**
 * PostgreSQL storage (issue 13 §8): `npm run bench -- postgres [--url URL] [--trials N] [--sizes 100,10000,100000]
 * [--only throughput|latency|sleep|calls] [--compare DIR] [--sleep-trials N] [--sleep-ms MS]`
 *
 * 1. No-op trials/s: every trial's storage work as a tuner does it (noopTrials: create-and-claim with a lease, one report, a
 *    heartbeat, finish, and an incremental changesSince read), no training, with 1, 4 and 16 workers across 1, 4
 *    and 4 processes, on PostgreSQL and beside it on one SQLite file. Also the connections in use at the peak.
 * 2. ask + tell latency (changesSince + create-and-claim + finish) at a study of 100, 10,000 and 100,000 trials
 *    (filled by SQL first), p50 and p99. Goal: flat, p50 <= 5 ms.
 * 3. `--only sleep`: a 50 ms-sleep objective, 16 workers in 4 real processes from dist/ (postgres-sleep.ts).
 * 4. `--only calls`: server and client CPU per no-op trial on one connection, the calls one by one and as the sweep
 *    makes them (finishAndRead with the epoch's report), from /proc where the server runs on this machine.
 * Round trips: every `pg.Client#query` of the storage is counted (one query is one round trip: node-postgres sends
 * the next only after the last one's answer), per no-op trial and per ask + tell.
 * `--compare DIR`: DIR is another checkout (e.g. the commit before a change, with node_modules): every throughput
 * and latency row runs on its storage and on this one, alternately, in one run, so load changes hit both alike.
 * URL: --url, else TUNE_BENCH_POSTGRES_URL, else TUNE_TEST_POSTGRES_URL; a database is created and dropped.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { loadavg } from 'node:os';
import type { Storage } from '../../src/storage/index.js';
import { fmt, printTable, quantile, tempDir, writeResult } from './lib/common.js';
import { sleepBench } from './postgres-sleep.js';

type OpenStorage = (target: string) => Storage;
const REPO = join(fileURLToPath(import.meta.url), '../../..');
/** The storage module of a checkout (this one, or --compare's). */
async function storageOf(root: string): Promise<OpenStorage> {
  const mod = (await import(pathToFileURL(join(root, 'src/storage/index.ts')).href)) as { openStorage: OpenStorage };
  return mod.openStorage;
}

/** Round trips so far: every query node-postgres sends, whichever checkout's storage sends it. */
let roundTrips = 0;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  roundTrips++;
  return (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

const SPEC = {
  name: 'bench', space: { x: { type: 'float', min: 0, max: 1 } }, direction: 'maximize' as const,
  metric: 'val_accuracy', strategy: 'random', seed: 1,
};

/**
 * One worker slot's loop: `count` no-op trials, as a tuner's main thread stores them. Where the storage has
 * finishAndRead (the sweep since the fourth session): create, heartbeat, and a finish that carries the one epoch's
 * report and reads the changes for the next ask; before (or with `separate`): changesSince, create, report,
 * heartbeat, finish.
 */
async function noopTrials(s: Storage, study: number, worker: string, count: number, separate = false): Promise<void> {
  let seq = 0;
  let fresh = false;
  for (let i = 0; i < count; i++) {
    if (!fresh) seq = (await s.changesSince(study, seq)).seq;
    const t = await s.createTrial(study, { params: { x: Math.random() }, budget: 1, seed: i, claimBy: worker, leaseMs: 30_000 });
    const fence = { worker, claim: t.claims ?? 1 };
    if (s.finishAndRead !== undefined && !separate) {
      await s.heartbeat([t.id], worker);
      const done = await s.finishAndRead(t.id, { state: 'complete', epochs: 1, value: 0.5, metrics: { val_accuracy: 0.5 } }, fence, seq);
      fresh = done.changes !== null;
      if (done.changes !== null) seq = done.changes.seq;
      continue;
    }
    await s.report(t.id, 1, { val_accuracy: 0.5 }, 0.5, fence);
    await s.heartbeat([t.id], worker);
    await s.finishTrial(t.id, { state: 'complete', epochs: 1 }, fence);
  }
}

// Child mode: one tuner process with `slots` workers on one connection.
const childIndex = process.argv.indexOf('--child');
if (childIndex >= 0) {
  const [root, target, slotsText, countText, startAtText] = process.argv.slice(childIndex + 1);
  const s = (await storageOf(root!))(target!);
  const study = await s.openStudy(SPEC);
  const wait = Number(startAtText) - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const t0 = performance.now();
  const rt0 = roundTrips;
  await Promise.all(Array.from({ length: Number(slotsText) }, (_, w) => noopTrials(s, study.id, `${process.pid}:${w}`, Number(countText))));
  const ms = performance.now() - t0;
  const trips = roundTrips - rt0;
  await s.close();
  process.stdout.write(JSON.stringify({ ms, roundTrips: trips }));
  process.exit(0);
}

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' }, trials: { type: 'string', default: '400' }, sizes: { type: 'string', default: '100,10000,100000' },
    only: { type: 'string' }, compare: { type: 'string' }, repeat: { type: 'string', default: '1' }, 'sleep-trials': { type: 'string', default: '1600' }, 'sleep-ms': { type: 'string', default: '50' },
  },
});
const base = args.url ?? process.env.TUNE_BENCH_POSTGRES_URL ?? process.env.TUNE_TEST_POSTGRES_URL;
if (base === undefined) {
  process.stderr.write('postgres bench: give --url postgres://… (or set TUNE_TEST_POSTGRES_URL); scripts/ci/postgres.sh start makes a server\n');
  process.exit(2);
}
const total = Number(args.trials);
const impls: { label: string; root: string }[] = [
  ...(args.compare !== undefined ? [{ label: 'before', root: args.compare }] : []),
  { label: args.compare !== undefined ? 'after' : 'this', root: REPO },
];
// --repeat N: each row N times (before and after alternating each time); the medians are printed after.
const repeat = Number(args.repeat);
const load = (): string => loadavg().map((x) => x.toFixed(1)).join(' ');
process.stdout.write(`load average at the start: ${load()}\n`);
const sizes = args.sizes.split(',').map(Number);

async function admin<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
const dbUrl = (name: string): string => {
  const u = new URL(base);
  u.pathname = `/${name}`;
  return u.toString();
};

/** A fresh database for one measurement, dropped afterwards. */
async function withDatabase<T>(fn: (url: string, name: string) => Promise<T>): Promise<T> {
  const name = `tune_bench_${randomBytes(4).toString('hex')}`;
  await admin(base!, (c) => c.query(`CREATE DATABASE ${name}`));
  try {
    return await fn(dbUrl(name), name);
  } finally {
    await admin(base!, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  }
}

const run = promisify(execFile);
const self = fileURLToPath(import.meta.url);

/** `processes` tuner processes with `workers` slots in all, `total` trials in all; trials/s and peak connections. */
async function throughput(
  root: string, target: string, processes: number, workers: number, dbName?: string,
): Promise<{ perSecond: number; connections: number | null; roundTripsPerTrial: number }> {
  const setup = (await storageOf(root))(target);
  await setup.openStudy(SPEC); // migrate once, before the processes race
  await setup.close();
  const slots = workers / processes;
  const count = Math.ceil(total / workers);
  const startAt = Date.now() + 2500;
  let peak = 0;
  let sampling = true;
  const sampler = dbName === undefined ? null : admin(base!, async (c) => {
    while (sampling) {
      const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()", [dbName]);
      peak = Math.max(peak, Number(r.rows[0]!.n));
      await new Promise((res) => setTimeout(res, 50));
    }
  });
  const outs = await Promise.all(Array.from({ length: processes }, () =>
    run(process.execPath, ['--import', 'tsx', self, '--child', root, target, String(slots), String(count), String(startAt)])));
  sampling = false;
  await sampler;
  const parsed = outs.map((o) => JSON.parse(o.stdout) as { ms: number; roundTrips: number });
  const slowest = Math.max(...parsed.map((o) => o.ms));
  const trips = parsed.reduce((a, o) => a + o.roundTrips, 0);
  return { perSecond: (count * workers) / (slowest / 1000), connections: dbName === undefined ? null : peak, roundTripsPerTrial: trips / (count * workers) };
}

const rows: string[][] = [];
const results: Record<string, unknown>[] = [];
const part = (name: string): boolean => args.only === undefined ? name !== 'sleep' && name !== 'calls' : args.only === name;
const medians: string[][] = [];
for (const [processes, workers] of part('throughput') ? [[1, 1], [4, 4], [4, 16]] as const : []) {
  const samples = new Map<string, { pg: number[]; sqlite: number[] }>(impls.map((i) => [i.label, { pg: [], sqlite: [] }]));
  for (const impl of Array.from({ length: repeat }, () => impls).flat()) {
    const onPg = await withDatabase((url, name) => throughput(impl.root, url, processes, workers, name));
    const file = join(tempDir('pg'), 'tune.db');
    const onSqlite = await throughput(impl.root, file, processes, workers);
    rows.push([impl.label, String(workers), String(processes), fmt(onPg.perSecond), fmt(onSqlite.perSecond), String(onPg.connections), fmt(onPg.roundTripsPerTrial), load()]);
    results.push({
      impl: impl.label, workers, processes, postgresPerSecond: onPg.perSecond, sqlitePerSecond: onSqlite.perSecond,
      connections: onPg.connections, roundTripsPerTrial: onPg.roundTripsPerTrial, load: loadavg()[0],
    });
    samples.get(impl.label)!.pg.push(onPg.perSecond);
    samples.get(impl.label)!.sqlite.push(onSqlite.perSecond);
  }
  for (const [label, x] of samples) medians.push([label, String(workers), String(processes), fmt(quantile(x.pg, 0.5)), fmt(quantile(x.sqlite, 0.5))]);
}
if (part('throughput')) {
  process.stdout.write(`\nno-op trials/s (${total} trials per row; create+claim, heartbeat, finish with the report and the changes since; without finishAndRead: changesSince, create+claim, report, heartbeat, finish)\n`);
  printTable(['storage code', 'workers', 'processes', 'PostgreSQL trials/s', 'SQLite trials/s', 'PG connections in use (peak)', 'PG round trips / trial', 'load average'], rows);
  if (repeat > 1) {
    process.stdout.write(`\nmedians of ${repeat}\n`);
    printTable(['storage code', 'workers', 'processes', 'PostgreSQL trials/s', 'SQLite trials/s'], medians);
  }
}

/** Fills the study to `n` trials (complete, one report each) by SQL, then times `samples` ask+tell rounds. */
interface Latency { p50: number; p99: number; selectOneP50: number; trips: { ask: number; create: number; tell: number }; sweepP50: number | null; sweepP99: number | null }
async function latencyAt(root: string, n: number, samples = 200): Promise<Latency> {
  const open = await storageOf(root);
  return withDatabase(async (url) => {
    const s = open(url);
    const study = await s.openStudy(SPEC);
    await admin(url, async (c) => {
      // Filled with the change-number triggers off (each would update the study row once per row), then every row
      // is change 1, as migrated data is.
      await c.query('ALTER TABLE trials DISABLE TRIGGER trials_seq');
      await c.query('ALTER TABLE reports DISABLE TRIGGER reports_seq');
      await c.query(`
        INSERT INTO trials (study_id, number, state, params, budget, seed, value, value_kind, epochs, created_at, started_at, finished_at, claims)
        SELECT $1, g, 'complete', '{"x":0.5}', 1, g, random(), 'finite', 1, '2026-12-02T00:00:00.000Z', '2026-12-02T00:00:00.000Z', '2026-12-02T00:00:01.000Z', 1
        FROM generate_series(0, $2 - 1) AS g`, [study.id, n]);
      await c.query(`INSERT INTO trial_params (trial_id, name, value_type, value_num) SELECT id, 'x', 'number', 0.5 FROM trials WHERE study_id = $1`, [study.id]);
      await c.query(`INSERT INTO reports (trial_id, epoch, metric, value, value_kind) SELECT id, 1, 'val_accuracy', value, 'finite' FROM trials WHERE study_id = $1`, [study.id]);
      await c.query('UPDATE trials SET seq = 1 WHERE study_id = $1', [study.id]);
      await c.query('UPDATE reports SET seq = 1');
      await c.query('UPDATE studies SET seq = 1 WHERE id = $1', [study.id]);
      await c.query('ALTER TABLE trials ENABLE TRIGGER trials_seq');
      await c.query('ALTER TABLE reports ENABLE TRIGGER reports_seq');
      await c.query('ANALYZE');
    });
    let seq = (await s.changesSince(study.id, 0)).seq;
    const ms: number[] = [];
    const trips = { ask: 0, create: 0, tell: 0 };
    for (let i = 0; i < samples; i++) {
      const t0 = performance.now();
      const r0 = roundTrips;
      seq = (await s.changesSince(study.id, seq)).seq; // ask: what changed since the last ask, then decide
      const r1 = roundTrips;
      const t = await s.createTrial(study.id, { params: { x: 0.5 }, budget: 1, seed: i, claimBy: 'bench', leaseMs: 30_000 });
      const r2 = roundTrips;
      await s.finishTrial(t.id, { state: 'complete', epochs: 1, value: 0.5 }, { worker: 'bench', claim: 1 }); // tell
      ms.push(performance.now() - t0);
      trips.ask += r1 - r0;
      trips.create += r2 - r1;
      trips.tell += roundTrips - r2;
    }
    // As the sweep stores a trial where the storage has finishAndRead: create-and-claim, then a finish that reads
    // the changes for the next ask (no changesSince).
    const sweepMs: number[] = [];
    const finishAndRead = s.finishAndRead?.bind(s);
    for (let i = 0; finishAndRead !== undefined && i < samples; i++) {
      const t0 = performance.now();
      const t = await s.createTrial(study.id, { params: { x: 0.5 }, budget: 1, seed: samples + i, claimBy: 'bench', leaseMs: 30_000 });
      const done = await finishAndRead(t.id, { state: 'complete', epochs: 1, value: 0.5, metrics: { val_accuracy: 0.5 } }, { worker: 'bench', claim: 1 }, seq);
      if (done.changes !== null) seq = done.changes.seq;
      sweepMs.push(performance.now() - t0);
    }
    await s.close();
    // What one round trip costs on this machine right now: `SELECT 1`, 200 times, right after.
    const one = await admin(url, async (c) => {
      const xs: number[] = [];
      for (let i = 0; i < samples; i++) {
        const t0 = performance.now();
        await c.query('SELECT 1');
        xs.push(performance.now() - t0);
      }
      return quantile(xs, 0.5);
    });
    return {
      p50: quantile(ms, 0.5), p99: quantile(ms, 0.99), selectOneP50: one, trips: { ask: trips.ask / samples, create: trips.create / samples, tell: trips.tell / samples },
      sweepP50: sweepMs.length > 0 ? quantile(sweepMs, 0.5) : null, sweepP99: sweepMs.length > 0 ? quantile(sweepMs, 0.99) : null,
    };
  });
}

const latency: string[][] = [];
for (const n of part('latency') ? sizes : []) {
  for (const impl of impls) {
    const { p50, p99, selectOneP50, trips, sweepP50, sweepP99 } = await latencyAt(impl.root, n);
    latency.push([impl.label, n.toLocaleString('en-US'), fmt(p50), fmt(p99), `${fmt(trips.ask)} + ${fmt(trips.create)} + ${fmt(trips.tell)}`,
      sweepP50 === null ? 'n/a' : `${fmt(sweepP50)} / ${fmt(sweepP99!)}`, fmt(selectOneP50), load()]);
    results.push({ impl: impl.label, studyTrials: n, askTellP50Ms: p50, askTellP99Ms: p99, sweepP50Ms: sweepP50, sweepP99Ms: sweepP99, selectOneP50Ms: selectOneP50, roundTrips: trips, load: loadavg()[0] });
  }
}
if (part('latency')) {
  process.stdout.write('\nask + tell on PostgreSQL (changesSince + create-and-claim + finish), 200 rounds each\n');
  printTable(['storage code', 'trials in the study', 'p50 ms', 'p99 ms', 'round trips (changes + create + finish)', 'as the sweep: create + finishAndRead, p50 / p99 ms', 'SELECT 1 p50 ms', 'load average'], latency);
}
/**
 * Server and client CPU per no-op trial, one slot on one connection (no contention): the server backend's CPU from
 * /proc (the server must be on this machine), this process's from process.cpuUsage(). `separate` runs the calls one
 * by one as before finishAndRead.
 */
async function callsCpu(root: string, separate: boolean, count = 1000): Promise<{ server: number | null; client: number; wall: number; merged: boolean }> {
  const open = await storageOf(root);
  return withDatabase(async (url) => {
    const s = open(url);
    const merged = !separate && s.finishAndRead !== undefined;
    const study = await s.openStudy(SPEC);
    await noopTrials(s, study.id, 'warm', 50, separate);
    const pids = await admin(url, async (c) => (await c.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')).rows.map((r) => r.pid));
    const ticks = (): number | null => {
      try {
        const stat = readFileSync(`/proc/${pids[0]}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return Number(f[11]) + Number(f[12]);
      } catch {
        return null;
      }
    };
    const tick0 = pids.length === 1 ? ticks() : null;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await noopTrials(s, study.id, 'bench', count, separate);
    const wall = (performance.now() - t0) / count;
    const cpu = process.cpuUsage(cpu0);
    const tick1 = tick0 === null ? null : ticks();
    await s.close();
    const hz = 100; // USER_HZ on Linux
    return { server: tick0 === null || tick1 === null ? null : ((tick1 - tick0) * 1000) / hz / count, client: (cpu.user + cpu.system) / 1000 / count, wall, merged };
  });
}

const callRows: string[][] = [];
for (const impl of part('calls') ? impls : []) {
  for (const separate of [true, false]) {
    for (let r = 0; r < repeat; r++) {
      const c = await callsCpu(impl.root, separate);
      if (!separate && !c.merged) continue; // a storage without finishAndRead: the sweep makes them one by one
      callRows.push([impl.label, separate ? 'one by one' : 'as the sweep', c.server === null ? 'n/a' : fmt(c.server), fmt(c.client), fmt(c.wall), load()]);
      results.push({ impl: impl.label, calls: separate ? 'separate' : 'sweep', serverCpuMsPerTrial: c.server, clientCpuMsPerTrial: c.client, wallMsPerTrial: c.wall, load: loadavg()[0] });
    }
  }
}
if (part('calls')) {
  process.stdout.write('\nCPU per no-op trial, one slot, one connection (1,000 trials; the server backend from /proc)\n');
  printTable(['storage code', 'calls', 'server CPU ms / trial', 'client CPU ms / trial', 'wall ms / trial', 'load average'], callRows);
}
if (part('sleep')) results.push(await sleepBench(base, Number(args['sleep-trials']), Number(args['sleep-ms']), withDatabase));
process.stdout.write(`\n${writeResult('postgres', { trials: total, results })}\n`);
