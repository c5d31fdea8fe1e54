/**
 * Checkpoint files on disk: an atomic write (temp folder, fsync, rename) and a verified read. No tfjs.
 *
 * A reader never sees half a checkpoint: files are written into `.tmp-ckpt-*`, synced, and the folder is renamed
 * to `ckpt-<epochs>`; only then are older checkpoints removed. (Rewriting the same epoch moves the old folder aside
 * just before the rename, the one moment that name is absent.)
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { errorMessage } from '../failures.js';
import { CHECKPOINT_NAME, checkpointName, MANIFEST_FILE, OLD_PREFIX, TEMP_PREFIX, WEIGHTS_FILE } from './checkpoint-paths.js';
import { allSpecs, parseManifest, totalBytes, type CheckpointManifest } from './checkpoint-format.js';

export type ManifestDraft = Omit<CheckpointManifest, 'bytes' | 'sha256' | 'createdAt'>;

export interface StoredCheckpoint {
  readonly manifest: CheckpointManifest;
  /** weights.bin, verified against the manifest's size and digest. */
  readonly weights: Buffer;
}

async function writeSynced(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; ) at += (await file.write(chunk, at)).bytesWritten; // writes may be short
    }
    await file.sync(); // the rename must not reach the disk before the data does
  } finally {
    await file.close();
  }
}

/** Make the rename itself durable. Best effort: some platforms (Windows) can't open a folder to sync it. */
async function syncFolder(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Atomicity doesn't depend on it; only surviving a power cut right after the rename does.
  }
}

/** Remove what a finished write leaves behind: older checkpoints, and temp folders of writes that crashed. */
async function sweep(dir: string, keep: string): Promise<void> {
  const names = await readdir(dir);
  const stale = names.filter((n) => n !== keep && (CHECKPOINT_NAME.test(n) || n.startsWith(TEMP_PREFIX) || n.startsWith(OLD_PREFIX)));
  await Promise.all(stale.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

/** Write a checkpoint into `dir` (created if need be) and return its folder. `chunks` hold the values in manifest order. */
export async function writeCheckpointFiles(dir: string, draft: ManifestDraft, chunks: readonly Uint8Array[]): Promise<string> {
  const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
  const expected = totalBytes(allSpecs(draft));
  if (bytes !== expected) throw new Error(`checkpoint data is ${bytes} bytes but its weight specs need ${expected}`);
  const hash = createHash('sha256');
  for (const c of chunks) hash.update(c);
  const manifest: CheckpointManifest = { ...draft, bytes, sha256: hash.digest('hex'), createdAt: new Date().toISOString() };

  await mkdir(dir, { recursive: true });
  const temp = await mkdtemp(join(dir, TEMP_PREFIX));
  const final = join(dir, checkpointName(draft.epochs));
  try {
    await writeSynced(join(temp, WEIGHTS_FILE), chunks);
    await writeSynced(join(temp, MANIFEST_FILE), [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]);
    // rename() can't replace a non-empty folder: move an earlier checkpoint of the same epoch aside first.
    await rename(final, join(dir, OLD_PREFIX + basename(temp).slice(TEMP_PREFIX.length))).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
    await rename(temp, final);
    await syncFolder(dir);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  await sweep(dir, checkpointName(draft.epochs));
  return final;
}

/** Read and verify a checkpoint folder. Every failure names the path. */
export async function readCheckpointFiles(path: string): Promise<StoredCheckpoint> {
  const fail = (why: string): never => {
    throw new Error(`checkpoint ${path}: ${why}`);
  };
  let manifest: CheckpointManifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(join(path, MANIFEST_FILE), 'utf8')));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fail(code === 'ENOENT' ? `${MANIFEST_FILE} not found (missing checkpoint)` : `bad ${MANIFEST_FILE}: ${errorMessage(e)}`);
  }
  let weights: Buffer;
  try {
    weights = await readFile(join(path, WEIGHTS_FILE));
  } catch (e) {
    return fail(`cannot read ${WEIGHTS_FILE}: ${errorMessage(e)}`);
  }
  if (weights.byteLength !== manifest.bytes) fail(`${WEIGHTS_FILE} is ${weights.byteLength} bytes, the manifest says ${manifest.bytes} (truncated or corrupt)`);
  if (createHash('sha256').update(weights).digest('hex') !== manifest.sha256) fail(`${WEIGHTS_FILE} does not match the manifest's sha256 (corrupt)`);
  return { manifest, weights };
}
