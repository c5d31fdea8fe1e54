import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecutionError } from '../../src/core/errors.js';
import { BackendNotInstalledError, selectBackend, type BackendHost } from '../../src/execution/backends/backend-select.js';

/** A host where `installed` packages exist, `broken` ones throw on load, and tfjs backends in `failing` won't start. */
function host(opts: { installed?: string[]; broken?: string[]; failing?: string[] } = {}): BackendHost & { loaded: string[] } {
  const loaded: string[] = [];
  return {
    loaded,
    isInstalled: (pkg) => (opts.installed ?? []).includes(pkg),
    async loadNative(pkg) {
      if ((opts.broken ?? []).includes(pkg)) throw new Error('Module did not self-register: tfjs_binding.node');
      loaded.push(pkg);
    },
    async activate(name) {
      return !(opts.failing ?? []).includes(name);
    },
    findAdapter: async () => undefined, // webgpu selection is tested in test/gpu/select.test.ts
    loadWebGpu: async () => {},
  };
}

test('auto prefers tensorflow-gpu, then tensorflow, then wasm, then cpu', async () => {
  assert.equal((await selectBackend('auto', host())).backend, 'wasm');
  assert.deepEqual((await selectBackend('auto', host())).warnings, [], 'a missing optional peer is not a warning');
  assert.equal((await selectBackend('auto', host({ installed: ['@tensorflow/tfjs-node'] }))).backend, 'tensorflow');
  const both = host({ installed: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] });
  assert.equal((await selectBackend('auto', both)).backend, 'tensorflow-gpu');
  assert.deepEqual(both.loaded, ['@tensorflow/tfjs-node-gpu']);
  assert.equal((await selectBackend('auto', host({ failing: ['wasm'] }))).backend, 'cpu');
});

test('an explicitly requested native backend that is not installed names the package to install', async () => {
  await assert.rejects(selectBackend('tensorflow-gpu', host()), (e: unknown) => {
    assert.ok(e instanceof BackendNotInstalledError && e instanceof ExecutionError);
    assert.match(e.message, /npm install @tensorflow\/tfjs-node-gpu@4\.22\.0/);
    return true;
  });
});

test('a native backend that is installed but fails in a worker thread falls back to wasm with a warning', async () => {
  const h = host({ installed: ['@tensorflow/tfjs-node'], broken: ['@tensorflow/tfjs-node'] });
  const selected = await selectBackend('tensorflow', h);
  assert.equal(selected.backend, 'wasm');
  assert.equal(selected.warnings.length, 1);
  assert.match(selected.warnings[0]!, /@tensorflow\/tfjs-node .*failed to load in a worker thread.*8388.*did not self-register/);
});

test('TF_FORCE_GPU_ALLOW_GROWTH is set before tensorflow-gpu loads', async () => {
  const saved = process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
  delete process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
  try {
    let seen: string | undefined;
    const h = host({ installed: ['@tensorflow/tfjs-node-gpu'] });
    const load = h.loadNative;
    h.loadNative = async (pkg) => {
      seen = process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
      await load(pkg);
    };
    await selectBackend('tensorflow-gpu', h);
    assert.equal(seen, 'true');
  } finally {
    if (saved === undefined) delete process.env['TF_FORCE_GPU_ALLOW_GROWTH'];
    else process.env['TF_FORCE_GPU_ALLOW_GROWTH'] = saved;
  }
});

test('no usable backend at all is an ExecutionError listing why', async () => {
  await assert.rejects(selectBackend('wasm', host({ failing: ['wasm'] })), /no usable tfjs backend for 'wasm'/);
});
