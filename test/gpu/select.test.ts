/** Which backend 'auto' and 'webgpu' pick for which adapters: pure logic over a fake host, no GPU needed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  BackendNotInstalledError,
  isSoftwareAdapter,
  selectBackend,
  type BackendHost,
  type GpuAdapterFacts,
  type GpuRoute,
} from '../../src/execution/backends/backend-select.js';

const WEBGPU = ['webgpu', '@tensorflow/tfjs-backend-webgpu'];

/** What Dawn 0.6.2 reports for Mesa's llvmpipe through OpenGL ES (measured on Debian 12). */
const LLVMPIPE: GpuAdapterFacts = {
  vendor: '',
  architecture: '',
  device: 'llvmpipe-llvm-15-0-6-256-bits-',
  description: 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6',
  route: 'opengles',
  fallback: false,
  software: true,
};
const NVIDIA: GpuAdapterFacts = { vendor: 'nvidia', architecture: 'ada', device: 'NVIDIA GeForce RTX 4090', description: 'NVIDIA: 550.54', route: 'default', fallback: false, software: false };

interface FakeOptions {
  installed?: string[];
  /** The adapter each route offers. */
  adapters?: Partial<Record<GpuRoute, GpuAdapterFacts>>;
  /** tfjs backends whose setBackend answers false. */
  failing?: string[];
}

function host(o: FakeOptions = {}): BackendHost & { routesAsked: GpuRoute[][]; activated: string[] } {
  const routesAsked: GpuRoute[][] = [];
  const activated: string[] = [];
  return {
    routesAsked,
    activated,
    isInstalled: (pkg) => (o.installed ?? WEBGPU).includes(pkg),
    loadNative: async () => {},
    async findAdapter(routes) {
      routesAsked.push([...routes]);
      for (const r of routes) if (o.adapters?.[r]) return o.adapters[r];
      return undefined;
    },
    loadWebGpu: async () => {},
    async activate(name) {
      activated.push(name);
      return !(o.failing ?? []).includes(name);
    },
  };
}

test('llvmpipe is a software adapter although Dawn says isFallbackAdapter: false; a named GPU is not', () => {
  assert.equal(isSoftwareAdapter(LLVMPIPE), true);
  assert.equal(isSoftwareAdapter({ ...NVIDIA }), false);
  assert.equal(isSoftwareAdapter({ ...NVIDIA, device: 'SwiftShader Device (Subzero)' }), true);
  assert.equal(isSoftwareAdapter({ ...NVIDIA, fallback: true }), true);
});

test("'auto' takes a hardware adapter first, ahead of tensorflow-gpu", async () => {
  const h = host({ installed: [...WEBGPU, '@tensorflow/tfjs-node-gpu'], adapters: { default: NVIDIA } });
  const selected = await selectBackend('auto', h);
  assert.equal(selected.backend, 'webgpu');
  assert.deepEqual(selected.adapter, NVIDIA);
  assert.deepEqual(h.routesAsked, [['default']], "'auto' asks Dawn's default route only");
});

test("'auto' skips a software adapter, says so, and goes on to the next backend", async () => {
  const selected = await selectBackend('auto', host({ adapters: { default: { ...LLVMPIPE, route: 'default' } } }));
  assert.equal(selected.backend, 'wasm');
  assert.equal(selected.adapter, undefined);
  assert.match(selected.warnings.join('\n'), /only a software adapter \(llvmpipe.*'auto' skips; --backend webgpu uses it/);
});

test("'auto' without any adapter, or without the packages, falls through quietly", async () => {
  for (const h of [host(), host({ installed: [] })]) {
    const selected = await selectBackend('auto', h);
    assert.equal(selected.backend, 'wasm');
    assert.deepEqual(selected.warnings, []);
  }
});

test("an explicit 'webgpu' tries Vulkan, then OpenGL ES, and uses a software adapter", async () => {
  const h = host({ adapters: { opengles: LLVMPIPE } });
  const selected = await selectBackend('webgpu', h);
  assert.equal(selected.backend, 'webgpu');
  assert.equal(selected.tfBackend, 'webgpu');
  assert.equal(selected.adapter?.software, true);
  assert.deepEqual(h.routesAsked, [['default', 'opengles']]);
});

test("an explicit 'webgpu' without an adapter falls back to wasm with a warning", async () => {
  const selected = await selectBackend('webgpu', host());
  assert.equal(selected.backend, 'wasm');
  assert.match(selected.warnings.join('\n'), /no GPU adapter.*falling back/);
});

test("setBackend('webgpu') answering false is a fallback, checked explicitly", async () => {
  const h = host({ adapters: { default: NVIDIA }, failing: ['webgpu'] });
  const selected = await selectBackend('webgpu', h);
  assert.equal(selected.backend, 'wasm');
  assert.deepEqual(h.activated, ['webgpu', 'wasm']);
  assert.match(selected.warnings.join('\n'), /did not initialise on nvidia NVIDIA GeForce RTX 4090/);
});

test("an explicit 'webgpu' whose packages are missing names both and how to install them", async () => {
  await assert.rejects(selectBackend('webgpu', host({ installed: [] })), (e: unknown) => {
    assert.ok(e instanceof BackendNotInstalledError);
    assert.match(e.message, /npm install webgpu@0\.6\.2 @tensorflow\/tfjs-backend-webgpu@4\.22\.0/);
    return true;
  });
});

test('Dawn failing to load at all is a fallback with its message', async () => {
  const h = host();
  h.findAdapter = async () => {
    throw new Error('Failed to load libEGL.so');
  };
  const selected = await selectBackend('webgpu', h);
  assert.equal(selected.backend, 'wasm');
  assert.match(selected.warnings.join('\n'), /webgpu failed in a worker thread: Failed to load libEGL\.so/);
});
