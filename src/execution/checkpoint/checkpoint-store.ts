/**
 * Model checkpoints as files: an atomic write (see atomic-write.ts) and a verified read. No tfjs.
 *
 * A reader never sees half a checkpoint: files are written into `.tmp-ckpt-*`, synced, and the folder is renamed
 * to `ckpt-<epochs>`; only then are older checkpoints removed. (Rewriting the same epoch moves the old folder aside
 * just before the rename, the one moment that name is absent.)
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../failures.js';
import { writeAtomically } from './atomic-write.js';
import { CHECKPOINT_NAME, checkpointName, MANIFEST_FILE, OLD_PREFIX, TEMP_PREFIX, WEIGHTS_FILE } from './checkpoint-paths.js';
import { parseManifest, sealManifest, weightsMismatch, type CheckpointManifest, type ManifestDraft } from './checkpoint-format.js';

export type { ManifestDraft } from './checkpoint-format.js';

export interface StoredCheckpoint {
  readonly manifest: CheckpointManifest;
  /** weights.bin, verified against the manifest's size and digest. */
  readonly weights: Buffer;
}

/** Remove what a finished write leaves behind: older checkpoints, and temp folders of writes that crashed. */
async function sweep(dir: string, keep: string): Promise<void> {
  const names = await readdir(dir);
  const stale = names.filter((n) => n !== keep && (CHECKPOINT_NAME.test(n) || n.startsWith(TEMP_PREFIX) || n.startsWith(OLD_PREFIX)));
  await Promise.all(stale.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

/** Write a checkpoint into `dir` (created if need be) and return its folder. `chunks` hold the values in manifest order. */
export async function writeCheckpointFiles(dir: string, draft: ManifestDraft, chunks: readonly Uint8Array[]): Promise<string> {
  const manifest = sealManifest(draft, chunks);
  const files = [
    [WEIGHTS_FILE, chunks],
    [MANIFEST_FILE, [Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`)]],
  ] as const;
  const final = await writeAtomically(dir, checkpointName(draft.epochs), { kind: 'folder', files }, { tempPrefix: TEMP_PREFIX, asidePrefix: OLD_PREFIX });
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
  const bad = weightsMismatch(manifest, weights, WEIGHTS_FILE);
  if (bad !== undefined) fail(bad);
  return { manifest, weights };
}
