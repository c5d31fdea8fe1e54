/**
 * Checkpoints in PostgreSQL vs files (issue 13 §5): `npm run bench -- checkpoints [--url URL] [--reps N] [--sizes 1.3,16]`
 *
 * A worker thread writes and reads model checkpoints as a trial's worker does: through the file store (in its own
 * thread, on local disk), and through the database store (over the trial's port to the main thread, which writes
 * bytea chunks on its one connection). Interleaved in one run, so the ratio holds on a busy machine; the load
 * average is printed with it. Sizes in MB; 1.3 MB is the default MNIST MLP (784-128-64-10) with Adam's state.
 * URL: --url, else TUNE_BENCH_POSTGRES_URL, else TUNE_TEST_POSTGRES_URL; a database is created and dropped.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { MessageChannel, Worker } from 'node:worker_threads';
import pg from 'pg';
import { DatabaseCheckpointStore } from '../../src/engine/index.js';
import { answerCheckpointRequest, FileCheckpointStore, stopServing, type CheckpointRequest } from '../../src/execution/index.js';
import { PostgresStorage } from '../../src/storage/index.js';
import { fmt, median, printTable, tempDir, writeResult, MB } from './lib/common.js';

const { values: args } = parseArgs({ options: { url: { type: 'string' }, reps: { type: 'string', default: '15' }, sizes: { type: 'string', default: '1.3,16' } } });
const base = args.url ?? process.env.TUNE_BENCH_POSTGRES_URL ?? process.env.TUNE_TEST_POSTGRES_URL;
if (base === undefined) {
  process.stderr.write('checkpoints bench: give --url postgres://… (or set TUNE_BENCH_POSTGRES_URL / TUNE_TEST_POSTGRES_URL)\n');
  process.exit(2);
}
const reps = Number(args.reps);
const sizes = args.sizes.split(',').map(Number);

const name = `tune_bench_ckpt_${process.pid}_${randomBytes(3).toString('hex')}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}"`);
const u = new URL(base);
u.pathname = `/${name}`;
const storage = PostgresStorage.open(u.toString());
const rows: string[][] = [];
const result: Record<string, unknown> = { reps, load: loadavg() };
try {
  const dbStore = new DatabaseCheckpointStore(storage.checkpointBlobs());
  const files = new FileCheckpointStore(tempDir('ckpt'));
  for (const mb of sizes) {
    const values = Math.round((mb * MB) / 4);
    const { port1, port2 } = new MessageChannel();
    port1.on('message', (req: CheckpointRequest) => void answerCheckpointRequest(req, (reply, transfer) => port1.postMessage(reply, transfer)));
    const entry = new URL('./lib/checkpoint-worker.ts', import.meta.url).href;
    const code = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
    const stores = [
      { name: 'files (worker, local disk)', spec: files.spec, slot: files.slot('bench', 0) },
      { name: 'PostgreSQL (port + main thread)', spec: dbStore.spec, slot: dbStore.slot('bench', 0) },
    ];
    const worker = new Worker(code, { eval: true, workerData: { stores, values, reps, port: port2 }, transferList: [port2] });
    const times = await new Promise<Record<string, { write: number[]; read: number[] }>>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    port1.close();
    const bytes = values * 4 + 4;
    const [f, d] = stores.map((s) => times[s.name]!);
    for (const [i, s] of stores.entries()) {
      const t = [f, d][i]!;
      rows.push([`${fmt(bytes / MB, 2)} MB`, s.name, fmt(median(t.write), 3), fmt(median(t.read), 3), i === 0 ? '1' : fmt(median(d!.write) / median(f!.write), 2), i === 0 ? '1' : fmt(median(d!.read) / median(f!.read), 2)]);
    }
    result[`${mb}MB`] = { bytes, files: { writeMs: median(f!.write), readMs: median(f!.read) }, postgres: { writeMs: median(d!.write), readMs: median(d!.read) } };
  }
  stopServing(dbStore.spec);
} finally {
  await storage.close();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
}
process.stdout.write(`checkpoint write + read from a worker thread, median of ${reps} (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')})\n`);
printTable(['size', 'store', 'write ms', 'read ms', 'write ×files', 'read ×files'], rows);
process.stdout.write(`${writeResult('checkpoints', result)}\n`);
