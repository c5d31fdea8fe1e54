/**
 * Checkpoints in PostgreSQL (issue 13 §5): one header row per checkpoint and its payload as bytea chunks, so any
 * machine of a study can resume a trial another one paused, without a shared disk. Each write is one transaction
 * (delete the trial's older checkpoints, insert the header and every chunk, mark it complete), so a crash or a lost
 * connection never leaves half a checkpoint readable; a read checks the chunk count, the size and the sha-256.
 *
 * Checkpoints are keyed by study name, not id: a store only knows the names its slots carry, and a study's rows
 * follow it when it is renamed (`--new-study`) or deleted (`tune delete`) by a trigger on `studies`.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { StorageError } from '../../core/errors.js';
import type { CheckpointBlob, CheckpointBlobs, CheckpointKey } from '../types.js';
import type { PgConnection } from './connection.js';

/** At most this much payload per row: large enough for few round trips, small enough that no one row is huge. */
export const CHECKPOINT_CHUNK_BYTES = 1 << 20;

/** The checkpoint tables (a numbered migration in migrations.ts). */
export const CHECKPOINT_TABLES_SQL = `
  CREATE TABLE checkpoints (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    study         text COLLATE "C" NOT NULL,
    trial_number  integer NOT NULL CHECK (trial_number >= 0),
    kind          text NOT NULL CHECK (kind IN ('model', 'state')),
    step          integer NOT NULL CHECK (step >= 0),
    manifest      text NOT NULL,
    bytes         bigint NOT NULL CHECK (bytes >= 0),
    sha256        text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    chunks        integer NOT NULL CHECK (chunks >= 0),
    created_at    text NOT NULL,
    complete      boolean NOT NULL DEFAULT false,
    UNIQUE (study, trial_number, kind, step)
  );
  CREATE INDEX checkpoints_trial ON checkpoints (study, trial_number);
  CREATE TABLE checkpoint_chunks (
    checkpoint_id bigint NOT NULL REFERENCES checkpoints(id) ON DELETE CASCADE,
    index         integer NOT NULL CHECK (index >= 0),
    data          bytea NOT NULL,
    PRIMARY KEY (checkpoint_id, index)
  );
  CREATE FUNCTION tune_checkpoints_follow_study() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'DELETE' THEN
      DELETE FROM checkpoints WHERE study = OLD.name;
      RETURN OLD;
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name THEN
      UPDATE checkpoints SET study = NEW.name WHERE study = OLD.name;
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER studies_checkpoints AFTER DELETE OR UPDATE OF name ON studies
    FOR EACH ROW EXECUTE FUNCTION tune_checkpoints_follow_study();
`;

const SQL = {
  supersede: 'DELETE FROM checkpoints WHERE study = $1 AND trial_number = $2',
  header: `INSERT INTO checkpoints (study, trial_number, kind, step, manifest, bytes, sha256, chunks, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
  chunk: 'INSERT INTO checkpoint_chunks (checkpoint_id, index, data) VALUES ($1, $2, $3)',
  complete: 'UPDATE checkpoints SET complete = true WHERE id = $1',
  find: `SELECT id, manifest, bytes, sha256, chunks, created_at FROM checkpoints
         WHERE study = $1 AND trial_number = $2 AND kind = $3 AND step = $4 AND complete`,
  chunks: 'SELECT index, data FROM checkpoint_chunks WHERE checkpoint_id = $1 ORDER BY index',
  has: 'SELECT 1 AS one FROM checkpoints WHERE study = $1 AND trial_number = $2 AND kind = $3 AND step = $4 AND complete',
  newest: `SELECT kind, step FROM checkpoints WHERE study = $1 AND trial_number = $2 AND complete
           ORDER BY id DESC LIMIT 1`,
  discard: 'DELETE FROM checkpoints WHERE study = $1 AND trial_number = $2',
  discardStudy: 'DELETE FROM checkpoints WHERE study = $1',
  countStudy: 'SELECT count(*)::int AS n FROM checkpoints WHERE study = $1 AND complete',
} as const;

interface HeaderRow {
  readonly id: number;
  readonly manifest: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly chunks: number;
  readonly created_at: string;
}

/**
 * `chunks` (back to back) cut into pieces of exactly `size` bytes, the last one shorter: a model's many small
 * tensors share rows, so a write costs one INSERT per `size` bytes, not one per tensor. A piece inside one chunk is
 * a view; one that spans chunks is a copy.
 */
export function rechunk(chunks: readonly Uint8Array[], size: number): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let filled = 0;
  for (const c of chunks) {
    let b = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    while (b.byteLength > 0) {
      const take = Math.min(size - filled, b.byteLength);
      parts.push(b.subarray(0, take));
      filled += take;
      b = b.subarray(take);
      if (filled === size) {
        out.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts, size));
        parts = [];
        filled = 0;
      }
    }
  }
  if (filled > 0) out.push(parts.length === 1 ? parts[0]! : Buffer.concat(parts, filled));
  return out;
}

function checkKey(k: CheckpointKey): void {
  if (!Number.isInteger(k.trialNumber) || k.trialNumber < 0) throw new StorageError(`checkpoint: trial number must be an integer >= 0, got ${k.trialNumber}`);
  if (!Number.isInteger(k.step) || k.step < 0) throw new StorageError(`checkpoint: step must be an integer >= 0, got ${k.step}`);
  if (k.kind !== 'model' && k.kind !== 'state') throw new StorageError(`checkpoint: kind must be model or state, got ${String(k.kind)}`);
}

const keyArgs = (k: CheckpointKey): unknown[] => [k.study, k.trialNumber, k.kind, k.step];

export class PgCheckpointBlobs implements CheckpointBlobs {
  constructor(
    private readonly conn: PgConnection,
    private readonly clock: () => string,
    private readonly readonly: boolean,
    private readonly chunkBytes = CHECKPOINT_CHUNK_BYTES,
  ) {}

  async write(key: CheckpointKey, manifest: string, chunks: readonly Uint8Array[]): Promise<void> {
    checkKey(key);
    if (this.readonly) throw new StorageError('checkpoint write: the database was opened read-only');
    const pieces = rechunk(chunks, this.chunkBytes);
    const hash = createHash('sha256');
    for (const p of pieces) hash.update(p);
    const sha = hash.digest('hex');
    const bytes = pieces.reduce((n, p) => n + p.byteLength, 0);
    // Idempotent (it deletes what it replaces), so a retry after a lost connection is safe without a token.
    await this.conn.transaction('checkpoint write', 'write', async (c: pg.Client) => {
      await c.query(SQL.supersede, [key.study, key.trialNumber]);
      const row = (await c.query<{ id: number }>(SQL.header, [...keyArgs(key), manifest, bytes, sha, pieces.length, this.clock()])).rows[0]!;
      // A Buffer parameter travels in binary: no hex text on the wire.
      for (const [i, p] of pieces.entries()) await c.query(SQL.chunk, [row.id, i, p]);
      await c.query(SQL.complete, [row.id]);
    });
  }

  async read(key: CheckpointKey, label: string): Promise<CheckpointBlob> {
    checkKey(key);
    const fail = (why: string): never => {
      throw new Error(`checkpoint ${label}: ${why}`);
    };
    // One snapshot: the header and its chunks agree even while another tuner supersedes them.
    const found = await this.conn.transaction('checkpoint read', 'read', async (c: pg.Client) => {
      const header = (await c.query<HeaderRow>(SQL.find, keyArgs(key))).rows[0];
      if (header === undefined) return undefined;
      const rows = (await c.query<{ index: number; data: Buffer }>(SQL.chunks, [header.id])).rows;
      return { header, rows };
    });
    if (found === undefined) return fail('not found (missing checkpoint)');
    const { header, rows } = found;
    if (rows.length !== header.chunks || rows.some((r, i) => r.index !== i)) {
      fail(`has ${rows.length} of its ${header.chunks} chunks (damaged)`);
    }
    const data = Buffer.concat(rows.map((r) => r.data));
    if (data.byteLength !== header.bytes) fail(`is ${data.byteLength} bytes, its header says ${header.bytes} (truncated or corrupt)`);
    if (createHash('sha256').update(data).digest('hex') !== header.sha256) fail("does not match its sha256 (corrupt)");
    return { ...key, manifest: header.manifest, data, createdAt: header.created_at };
  }

  async has(key: CheckpointKey): Promise<boolean> {
    checkKey(key);
    return this.conn.transaction('checkpoint lookup', 'one-read', async (c: pg.Client) => (await c.query(SQL.has, keyArgs(key))).rows.length > 0);
  }

  async newest(study: string, trialNumber: number): Promise<CheckpointKey | undefined> {
    const row = await this.conn.transaction('checkpoint lookup', 'one-read', async (c: pg.Client) =>
      (await c.query<{ kind: 'model' | 'state'; step: number }>(SQL.newest, [study, trialNumber])).rows[0]);
    return row === undefined ? undefined : { study, trialNumber, kind: row.kind, step: row.step };
  }

  async discard(study: string, trialNumber: number): Promise<void> {
    await this.mutate('checkpoint discard', SQL.discard, [study, trialNumber]);
  }

  async discardStudy(study: string): Promise<void> {
    await this.mutate('checkpoint discardStudy', SQL.discardStudy, [study]);
  }

  async countStudy(study: string): Promise<number> {
    return this.conn.transaction('checkpoint count', 'one-read', async (c: pg.Client) => (await c.query<{ n: number }>(SQL.countStudy, [study])).rows[0]!.n);
  }

  private async mutate(what: string, sql: string, args: unknown[]): Promise<void> {
    if (this.readonly) throw new StorageError(`${what}: the database was opened read-only`);
    await this.conn.transaction(what, 'write', async (c: pg.Client) => {
      await c.query(sql, args);
    });
  }
}
