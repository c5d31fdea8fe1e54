/**
 * Several `tune` processes on one study (issue 13 §7), on SQLite, and on PostgreSQL too when TUNE_TEST_POSTGRES_URL
 * is set and this build has the PostgreSQL storage: each target gives a storage argument for the CLI and a way to
 * open it from the test.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { spawnCli, writeJson } from '../helpers/cli.js';

export interface StorageTarget {
  readonly name: string;
  /** Why this target can't run here, or null. */
  readonly skip: string | null;
  /** A fresh storage argument (a new file, or a new database) for one test. */
  fresh(label: string): Promise<string>;
  open(arg: string): Storage | Promise<Storage>;
  /** Removes what `fresh` made (a PostgreSQL database; a SQLite file goes with the test's temp folder). */
  drop(arg: string): Promise<void>;
}

const hasPostgres = existsSync(resolve(import.meta.dirname, '../../src/storage/postgres'));

export function storageTargets(dir: string): StorageTarget[] {
  const url = process.env.TUNE_TEST_POSTGRES_URL;
  return [
    { name: 'SQLite', skip: null, fresh: async (label) => join(dir, `${label}.db`), open: (arg) => openStorage(arg), drop: async () => {} },
    {
      name: 'PostgreSQL',
      skip: url === undefined ? 'TUNE_TEST_POSTGRES_URL is not set: no PostgreSQL server to run the multi-process tests against'
        : !hasPostgres ? 'this build has no PostgreSQL storage (src/storage/postgres): merge the pgstore branch to run these against it'
        : null,
      fresh: async (label) => createDatabase(url ?? '', label),
      open: (arg) => openStorage(arg),
      drop: (arg) => dropDatabase(url ?? '', new URL(arg).pathname.slice(1)),
    },
  ];
}

async function dropDatabase(url: string, name: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A new, uniquely named database on the server of `url`; its URL. */
async function createDatabase(url: string, label: string): Promise<string> {
  const { default: pg } = await import('pg');
  const name = `tune_multi_${label.replace(/\W/g, '_')}_${process.pid}_${Date.now()}`.toLowerCase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/**
 * A task module that logs every run it starts (`pid trialId startStep budget` per line, to `runs.log` beside it) and
 * reports `loss = x / step` after `wait` ms per step: quick, deterministic, and it shows who ran what from where.
 */
export function writeLoggingModule(dir: string): string {
  const file = join(dir, 'logged.mjs');
  writeFileSync(file, `import { appendFileSync } from 'node:fs';
const log = new URL('./runs.log', import.meta.url);
export async function objective(params, trial) {
  appendFileSync(log, \`\${process.pid} \${trial.id} \${trial.startStep} \${trial.budget}\\n\`);
  let value = 0;
  for (let step = trial.startStep + 1; step <= trial.budget; step++) {
    await new Promise((r) => setTimeout(r, Number(params.wait)));
    value = params.x / step;
    if ((await trial.report(step, value)) !== 'continue') break;
  }
  return value;
}
`);
  return file;
}

export interface RunLine {
  readonly pid: number;
  readonly trialId: number;
  readonly startStep: number;
  readonly budget: number;
}

export function parseRuns(text: string): RunLine[] {
  return text.trim().split('\n').filter(Boolean).map((l) => {
    const [pid, trialId, startStep, budget] = l.split(' ').map(Number);
    return { pid: pid!, trialId: trialId!, startStep: startStep!, budget: budget! };
  });
}

export function writeSpace(dir: string, name: string, body: Record<string, unknown>): string {
  const file = join(dir, `${name}.json`);
  writeJson(file, { name, objective: { metric: 'loss', direction: 'minimize' }, task: { module: './logged.mjs' }, seed: 11, ...body });
  return file;
}

/** `n` tune processes started together; resolves with their exit codes and outputs. */
export async function together(n: number, args: (i: number) => readonly string[]) {
  const runs = Array.from({ length: n }, (_, i) => spawnCli(args(i)));
  const codes = await Promise.all(runs.map((r) => r.exit));
  return runs.map((r, i) => ({ code: codes[i], output: r.output(), pid: r.child.pid }));
}
