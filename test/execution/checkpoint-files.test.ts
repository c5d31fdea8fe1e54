/** Checkpoint files without tfjs: the atomic write, the verified read, the paths, and removal. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { CheckpointManifest } from '../../src/execution/checkpoint/checkpoint-format.js';
import { readCheckpointFiles, writeCheckpointFiles, type ManifestDraft } from '../../src/execution/checkpoint/checkpoint-store.js';
import { checkpointDirFor, removeCheckpoint } from '../../src/execution/checkpoint/checkpoint-paths.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tune-ckpt-files-'));
});
after(async () => {
  await removeCheckpoint(root);
});

/** A 2×3 float32 "kernel" and an int32 'iter' scalar: 28 bytes. */
function sample(epochs: number, fill = 1): { draft: ManifestDraft; chunks: Uint8Array[] } {
  const kernel = new Float32Array(6).fill(fill);
  const iter = new Int32Array([epochs * 10]);
  const draft: ManifestDraft = {
    format: 'tune-checkpoint',
    version: 1,
    epochs,
    seed: 5,
    optimizer: 'SGD',
    model: [{ name: 'dense/kernel', shape: [2, 3], dtype: 'float32' }],
    optimizerWeights: [{ name: 'iter', shape: [], dtype: 'int32' }],
    optimizerExtras: [],
  };
  return { draft, chunks: [new Uint8Array(kernel.buffer), new Uint8Array(iter.buffer)] };
}

async function write(dir: string, epochs: number, fill = 1): Promise<string> {
  const { draft, chunks } = sample(epochs, fill);
  return writeCheckpointFiles(dir, draft, chunks);
}

test('a checkpoint is a folder ckpt-<epochs> with manifest.json and weights.bin, and reads back verified', async () => {
  const dir = join(root, 'plain', 'trial-0');
  const path = await write(dir, 2);
  assert.equal(path, join(dir, 'ckpt-2'));
  assert.deepEqual((await readdir(path)).sort(), ['manifest.json', 'weights.bin']);
  const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8')) as CheckpointManifest;
  assert.equal(manifest.bytes, 28);
  assert.match(manifest.sha256, /^[0-9a-f]{64}$/);
  const { manifest: read, weights } = await readCheckpointFiles(path);
  assert.deepEqual(read, manifest);
  assert.equal(new Float32Array(weights.buffer, weights.byteOffset, 6)[5], 1);
});

test('a newer checkpoint replaces the older one; the same epoch again replaces it in place; no temp folder is left', async () => {
  const dir = join(root, 'replace');
  await write(dir, 1);
  const second = await write(dir, 3);
  assert.deepEqual(await readdir(dir), ['ckpt-3']);
  await write(dir, 3, 7);
  assert.deepEqual(await readdir(dir), ['ckpt-3']);
  const { weights } = await readCheckpointFiles(second);
  assert.equal(weights.readFloatLE(0), 7, 'the rewritten checkpoint is the one there');
});

test('a write that crashed (a temp folder left behind) is never read, and the next write sweeps it away', async () => {
  const dir = join(root, 'crashed');
  const good = await write(dir, 2);
  await mkdir(join(dir, '.tmp-ckpt-abc123'));
  await writeFile(join(dir, '.tmp-ckpt-abc123', 'weights.bin'), 'half');
  assert.equal((await readCheckpointFiles(good)).manifest.epochs, 2);
  await write(dir, 4);
  assert.deepEqual(await readdir(dir), ['ckpt-4']);
});

test('data that does not match the weight specs is refused before anything is written', async () => {
  const { draft } = sample(2);
  const dir = join(root, 'refused');
  await assert.rejects(writeCheckpointFiles(dir, draft, [new Uint8Array(3)]), /3 bytes but its weight specs need 28/);
  await assert.rejects(readdir(dir), { code: 'ENOENT' });
});

test('a missing or damaged checkpoint is refused with its path and the reason', async () => {
  const missing = join(root, 'nowhere', 'ckpt-2');
  await assert.rejects(readCheckpointFiles(missing), (e: Error) => e.message.includes(missing) && /missing checkpoint/.test(e.message));

  const path = await write(join(root, 'damaged'), 2);
  const bin = join(path, 'weights.bin');
  const original = await readFile(bin);
  await writeFile(bin, original.subarray(0, 20));
  await assert.rejects(readCheckpointFiles(path), (e: Error) => e.message.includes(path) && /20 bytes, the manifest says 28 \(truncated or corrupt\)/.test(e.message));
  const flipped = Buffer.from(original);
  flipped[3] = flipped[3]! ^ 0xff;
  await writeFile(bin, flipped);
  await assert.rejects(readCheckpointFiles(path), /does not match the manifest's sha256/);
  await writeFile(bin, original);

  const manifestFile = join(path, 'manifest.json');
  const manifest = await readFile(manifestFile, 'utf8');
  await writeFile(manifestFile, manifest.slice(0, 40));
  await assert.rejects(readCheckpointFiles(path), (e: Error) => e.message.includes(path) && /bad manifest\.json/.test(e.message));
  await writeFile(manifestFile, manifest.replace('"version": 1', '"version": 99'));
  await assert.rejects(readCheckpointFiles(path), /unsupported version 99/);
  await writeFile(manifestFile, manifest.replace('"dtype": "int32"', '"dtype": "bool"'));
  await assert.rejects(readCheckpointFiles(path), /optimizerWeights\[0\]\.dtype "bool"/);
  await writeFile(manifestFile, manifest.replace('"bytes": 28', '"bytes": 32'));
  await assert.rejects(readCheckpointFiles(path), /bytes 32 does not match its weight specs \(28\)/);
});

test('removeCheckpoint removes a checkpoint or a whole trial folder, and a missing path is fine', async () => {
  const dir = join(root, 'remove', 'trial-1');
  const path = await write(dir, 2);
  await removeCheckpoint(path);
  assert.deepEqual(await readdir(dir), []);
  await write(dir, 3);
  await removeCheckpoint(dir);
  await assert.rejects(readdir(dir), { code: 'ENOENT' });
  await removeCheckpoint(dir);
  await removeCheckpoint(join(root, 'never', 'existed'));
});

test('checkpointDirFor: <root>/<study>/trial-<n>, with a study name that can never leave the root', () => {
  assert.equal(checkpointDirFor('/r', 'mnist-adam', 3), join('/r', 'mnist-adam', 'trial-3'));
  assert.equal(checkpointDirFor('/r', '../etc', 0), join('/r', '..%2Fetc', 'trial-0'));
  assert.equal(checkpointDirFor('/r', '..', 0), join('/r', '%2E%2E', 'trial-0'));
  assert.equal(checkpointDirFor('/r', 'a b/ü', 1), join('/r', 'a%20b%2F%C3%BC', 'trial-1'));
  assert.notEqual(checkpointDirFor('/r', '', 1), checkpointDirFor('/r', '%', 1));
  assert.throws(() => checkpointDirFor('/r', 's', -1), /trial number must be an integer >= 0/);
  assert.throws(() => checkpointDirFor('/r', 's', 1.5), /trial number/);
});

test('importing execution/index.js (the main-thread API) does not load tfjs', () => {
  const index = fileURLToPath(new URL('../../src/execution/index.ts', import.meta.url));
  const probe = `await import(${JSON.stringify(index)}); const before = '_tfengine' in globalThis; await import('@tensorflow/tfjs'); console.log(before, '_tfengine' in globalThis);`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { encoding: 'utf8' });
  assert.equal(out.trim(), 'false true', 'tfjs sets globalThis._tfengine when it loads');
});
