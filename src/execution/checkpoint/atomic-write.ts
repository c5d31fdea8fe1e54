/**
 * The one way checkpoints reach the disk, for model checkpoints (a folder) and objective states (a file) alike:
 * write under a temp name, fsync every file, rename into place, fsync the parent folder. A reader sees the old
 * entry or the whole new one, never part of one, and after the call returns a power cut loses neither.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';

/** What to put at the final name: one file, or a folder of files (written in the order given). */
export type AtomicEntry =
  | { readonly kind: 'file'; readonly chunks: readonly Uint8Array[] }
  | { readonly kind: 'folder'; readonly files: readonly (readonly [name: string, chunks: readonly Uint8Array[]])[] };

export interface AtomicNames {
  /** The temp entry's prefix: a name a reader never mistakes for a finished entry. */
  readonly tempPrefix: string;
  /** Folders only (rename can't replace a non-empty folder): an earlier entry of the same name is moved aside under this prefix. */
  readonly asidePrefix?: string;
}

/** Write every chunk (writes may be short), then fsync: the rename must not reach the disk before the data does. */
export async function writeSynced(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const file = await open(path, 'w');
  try {
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.byteLength; ) at += (await file.write(chunk, at)).bytesWritten;
    }
    await file.sync();
  } finally {
    await file.close();
  }
}

/** Make a rename in `dir` durable. Best effort: some platforms (Windows) can't open a folder to sync it. */
export async function syncFolder(dir: string): Promise<void> {
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

/** Writes `entry` as `<dir>/<name>` atomically and durably (`dir` is created if need be); returns its path. */
export async function writeAtomically(dir: string, name: string, entry: AtomicEntry, names: AtomicNames): Promise<string> {
  await mkdir(dir, { recursive: true });
  const final = join(dir, name);
  const temp = entry.kind === 'folder' ? await mkdtemp(join(dir, names.tempPrefix)) : join(dir, `${names.tempPrefix}${randomUUID()}`);
  try {
    if (entry.kind === 'file') {
      await writeSynced(temp, entry.chunks);
    } else {
      for (const [file, chunks] of entry.files) await writeSynced(join(temp, file), chunks);
      await syncFolder(temp); // the files' names in the temp folder, before the folder is renamed
      if (names.asidePrefix !== undefined) {
        await rename(final, join(dir, names.asidePrefix + basename(temp).slice(names.tempPrefix.length))).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
      }
    }
    await rename(temp, final);
    await syncFolder(dir);
  } catch (e) {
    await rm(temp, { recursive: true, force: true });
    throw e;
  }
  return final;
}
