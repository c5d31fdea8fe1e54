/**
 * WebGPU in a worker thread, through Dawn's Node bindings (the optional `webgpu` package): find an adapter, expose it
 * as `navigator.gpu`, then load tfjs's webgpu backend, which looks for `navigator.gpu` when its module is evaluated.
 * Facts this follows (measured on Mesa's software GPU) are in the team notes, software-gpu.md.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter } from 'node:path';
import { isSoftwareAdapter, WEBGPU_PACKAGES, type GpuAdapterFacts, type GpuRoute } from './backend-select.js';

/** The little of the WebGPU API used here; no dependency on @webgpu/types, which may be missing (optional). */
interface AdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  readonly isFallbackAdapter?: boolean;
}
interface AdapterLike {
  readonly info: AdapterInfoLike;
}
type RequestAdapter = (options?: Record<string, unknown>) => Promise<AdapterLike | null>;
export interface GpuLike {
  requestAdapter: RequestAdapter;
}
export interface DawnModule {
  create(flags: string[]): GpuLike;
  /** The WebGPU globals a browser has (GPUBufferUsage, GPUMapMode, …), which tfjs uses by name. */
  readonly globals: object;
}

/** How Dawn is loaded; a test seam (a fixture worker replaces it to simulate a machine without an adapter). */
export const dawn = {
  load: async (): Promise<DawnModule> => (await import(WEBGPU_PACKAGES.dawn)) as DawnModule, // variable specifier: optional
};

/** Dawn's flags per route: its platform default (Vulkan on Linux), or OpenGL ES, which Mesa's llvmpipe serves. */
const FLAGS: Record<GpuRoute, string[]> = { default: [], opengles: ['backend=opengles'] };

/**
 * Dawn dlopens libvulkan.so.1 and prints a native warning to stderr when it's missing; look first, the way the
 * dynamic loader would (LD_LIBRARY_PATH, ld.so.cache, default dirs), so machines without Vulkan stay quiet.
 */
export function vulkanLoaderPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const lib = 'libvulkan.so.1';
  const dirs = [...(process.env['LD_LIBRARY_PATH'] ?? '').split(delimiter).filter(Boolean), '/lib', '/usr/lib', '/lib64', '/usr/lib64'];
  if (dirs.some((d) => existsSync(`${d}/${lib}`))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(lib);
  } catch {
    return true; // can't tell: let Dawn try
  }
}

/**
 * Dawn dlopens libEGL.so (or libvulkan.so.1) per GPU instance and dlcloses it with the last one. glvnd's libraries
 * then unload while other threads still hold their thread-specific data, and a worker thread that exits after that
 * crashes the whole process (SIGSEGV in __nptl_deallocate_tsd; about half the time with 2–4 workers on llvmpipe).
 * Opening the library once more with RTLD_NODELETE keeps it loaded for the life of the process. process.dlopen then
 * throws 'did not self-register', as expected: it is not a Node addon. glibc only; musl never unloads.
 */
const RTLD_LAZY = 1;
const RTLD_NODELETE = 0x1000; // glibc's value; Node's os.constants.dlopen doesn't list it
function pinLibrary(name: string): void {
  if (process.platform !== 'linux') return;
  try {
    process.dlopen({ exports: {} }, name, RTLD_LAZY | RTLD_NODELETE);
  } catch {
    // Expected (not an addon), or the library is missing and Dawn will say so itself.
  }
}

let found: { gpu: GpuLike; facts: GpuAdapterFacts; globals: object } | undefined;

/** The first route with an adapter, or undefined. Its GPU object is kept for installWebGpu. */
export async function findAdapter(routes: readonly GpuRoute[]): Promise<GpuAdapterFacts | undefined> {
  if (found && routes.includes(found.facts.route)) return found.facts;
  // Mesa's EGL tries X11 without it. A worker's process.env is a copy, so the pool also sets it on the main thread.
  process.env['EGL_PLATFORM'] ??= 'surfaceless';
  const usable = routes.filter((r) => r !== 'default' || vulkanLoaderPresent());
  if (usable.length === 0) return undefined; // not even worth loading Dawn
  const { create, globals } = await dawn.load();
  for (const route of usable) {
    pinLibrary(route === 'default' ? 'libvulkan.so.1' : 'libEGL.so');
    const gpu = create(FLAGS[route]);
    // Dawn's GLES backend only offers compatibility-mode adapters; tfjs asks without a feature level, so add it.
    if (route === 'opengles') {
      const request = gpu.requestAdapter.bind(gpu);
      gpu.requestAdapter = (options) => request({ ...options, featureLevel: 'compatibility' });
    }
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }); // what tfjs asks for
    if (adapter === null) continue;
    const i = adapter.info;
    const text = (v: string | undefined): string => v ?? '';
    const info = { vendor: text(i.vendor), architecture: text(i.architecture), device: text(i.device), description: text(i.description) };
    const facts: GpuAdapterFacts = { ...info, route, fallback: i.isFallbackAdapter === true, software: isSoftwareAdapter({ ...info, fallback: i.isFallbackAdapter === true }) };
    found = { gpu, facts, globals };
    return facts;
  }
  return undefined;
}

/** Expose the found GPU as navigator.gpu and load tfjs's webgpu backend module (which registers 'webgpu'). */
export async function installWebGpu(): Promise<void> {
  if (!found) throw new Error('installWebGpu called before an adapter was found');
  for (const [name, value] of Object.entries(found.globals)) if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) g.navigator = { gpu: found.gpu };
  else g.navigator.gpu = found.gpu; // Node 21+ has a navigator without gpu
  await import(WEBGPU_PACKAGES.backend);
}
