/**
 * Which tfjs backend a worker uses: the order of preference and the fallbacks, as pure logic over a small host
 * interface so it can be tested without native packages. No tfjs import here (the pool imports this file).
 */
import { createRequire } from 'node:module';
import { errorMessage, ExecutionError, type ErrorCode } from '../../core/errors.js';
import type { BackendChoice, BackendName } from '../types.js';

/** The optional peer packages behind the native backends. Both register tfjs backend 'tensorflow'. */
export const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const satisfies Partial<Record<BackendName, string>>;
type NativeName = keyof typeof NATIVE_PACKAGES;

/** The tfjs version the native packages must match. */
export const TFJS_VERSION = '4.22.0';

const TF_NAMES: Record<BackendName, string> = { webgpu: 'webgpu', 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

/** The optional dependencies behind 'webgpu': Dawn's Node bindings and tfjs's webgpu backend. */
export const WEBGPU_PACKAGES = { dawn: 'webgpu', backend: '@tensorflow/tfjs-backend-webgpu' } as const;
const WEBGPU_INSTALL = `${WEBGPU_PACKAGES.dawn}@0.6.2 ${WEBGPU_PACKAGES.backend}@${TFJS_VERSION}`;

export function isNative(name: BackendName): name is NativeName {
  return name === 'tensorflow-gpu' || name === 'tensorflow';
}

/** Backends whose trials run on a GPU device, so that `gpuConcurrency` caps them. */
export function isGpuBackend(name: BackendName): boolean {
  return name === 'webgpu' || name === 'tensorflow-gpu';
}

/** Raised when an explicitly requested backend's packages are missing; the pool passes it on as is. */
export class BackendNotInstalledError extends ExecutionError {
  static override readonly defaultCode: ErrorCode = 'backend-not-installed';
  constructor(readonly backend: NativeName | 'webgpu') {
    const install = backend === 'webgpu' ? WEBGPU_INSTALL : `${NATIVE_PACKAGES[backend]}@${TFJS_VERSION}`;
    const what =
      backend === 'webgpu'
        ? `the packages ${WEBGPU_PACKAGES.dawn} and ${WEBGPU_PACKAGES.backend} (optional dependencies; their install may have failed here)`
        : `the package ${NATIVE_PACKAGES[backend]}`;
    super(`backend '${backend}' needs ${what}, which is not installed: run \`npm install ${install}\`, or choose the 'wasm' backend`);
  }
}

/** How Dawn is asked for an adapter: its platform default (Vulkan, Metal, D3D12), or OpenGL ES (Mesa, compat mode). */
export type GpuRoute = 'default' | 'opengles';

/** A WebGPU adapter as Dawn describes it. Plain data: it crosses from the worker to the pool. */
export interface GpuAdapterFacts {
  readonly vendor: string;
  readonly architecture: string;
  /** The adapter's name, e.g. 'NVIDIA GeForce RTX 4090' or 'llvmpipe-llvm-15-0-6-256-bits-'. */
  readonly device: string;
  /** The driver, e.g. 'OpenGL version OpenGL ES 3.2 Mesa 22.3.6'. */
  readonly description: string;
  readonly route: GpuRoute;
  /** Dawn's own isFallbackAdapter. */
  readonly fallback: boolean;
  /** A CPU rasteriser posing as a GPU: fallback, or named llvmpipe, lavapipe, SwiftShader, … */
  readonly software: boolean;
}

// Dawn's GLES adapter on llvmpipe reports isFallbackAdapter false and puts 'llvmpipe' in `device`, not `description`.
const SOFTWARE_NAMES = /llvmpipe|lavapipe|swiftshader|softpipe|software rasterizer|basic render driver/i;

export function isSoftwareAdapter(a: Pick<GpuAdapterFacts, 'vendor' | 'architecture' | 'device' | 'description' | 'fallback'>): boolean {
  return a.fallback || SOFTWARE_NAMES.test([a.vendor, a.architecture, a.device, a.description].join(' '));
}

/** One line naming the adapter and its driver, for warnings and BackendInfo. */
export function adapterName(a: GpuAdapterFacts): string {
  return [a.vendor, a.device].filter(Boolean).join(' ') || a.description || 'unnamed adapter';
}

/** What selection needs from the running worker. */
export interface BackendHost {
  isInstalled(pkg: string): boolean;
  /** Import a native package (it registers the 'tensorflow' backend). */
  loadNative(pkg: string): Promise<void>;
  /** Switch tfjs to `tfName`; false or a throw means it is unusable here. */
  activate(tfName: string): Promise<boolean>;
  /** webgpu: the first adapter Dawn offers on these routes, or undefined; throws if Dawn itself fails to load. */
  findAdapter(routes: readonly GpuRoute[]): Promise<GpuAdapterFacts | undefined>;
  /** webgpu: expose the adapter found as navigator.gpu and load tfjs's webgpu backend module. */
  loadWebGpu(): Promise<void>;
}

export interface SelectedBackend {
  readonly backend: BackendName;
  readonly tfBackend: string;
  readonly warnings: readonly string[];
  /** webgpu only: the adapter in use. */
  readonly adapter?: GpuAdapterFacts;
}

function candidates(choice: BackendChoice): readonly BackendName[] {
  switch (choice) {
    case 'auto':
      return ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
    case 'webgpu':
    case 'tensorflow-gpu':
    case 'tensorflow':
      return [choice, 'wasm'];
    default:
      return [choice];
  }
}

const message = (e: unknown): string => errorMessage(e).split('\n')[0] ?? '';

export async function selectBackend(choice: BackendChoice, host: BackendHost): Promise<SelectedBackend> {
  const warnings: string[] = [];
  for (const name of candidates(choice)) {
    if (name === 'webgpu') {
      const selected = await selectWebGpu(choice, host, warnings);
      if (selected) return selected;
      continue;
    }
    if (isNative(name)) {
      const pkg = NATIVE_PACKAGES[name];
      if (!host.isInstalled(pkg)) {
        if (choice === name) throw new BackendNotInstalledError(name);
        continue; // auto: a missing optional peer is the normal case, not worth a warning
      }
      try {
        prepareNativeEnv(name);
        await host.loadNative(pkg);
        if (await host.activate('tensorflow')) return { backend: name, tfBackend: 'tensorflow', warnings };
        warnings.push(`${pkg} is installed but its backend did not initialise in a worker thread; falling back`);
      } catch (e) {
        // tfjs issue 8388: the native addon often loads in the first thread only ("Module did not self-register").
        warnings.push(`${pkg} is installed but failed to load in a worker thread (tfjs issue 8388?): ${message(e)}; falling back`);
      }
      continue;
    }
    try {
      if (await host.activate(TF_NAMES[name])) return { backend: name, tfBackend: TF_NAMES[name], warnings };
      warnings.push(`tfjs backend '${name}' did not initialise`);
    } catch (e) {
      warnings.push(`tfjs backend '${name}' failed: ${message(e)}`);
    }
  }
  throw new ExecutionError(`no usable tfjs backend for '${choice}': ${warnings.join('; ')}`);
}

/**
 * 'auto' takes a hardware adapter from Dawn's default route only: the OpenGL ES route on Linux is Mesa (llvmpipe, or
 * a GPU without Vulkan), and each try costs a GL context and its threads in every worker. An explicit 'webgpu'
 * tries both and takes a software adapter too (that's how CI tests it).
 */
async function selectWebGpu(choice: BackendChoice, host: BackendHost, warnings: string[]): Promise<SelectedBackend | undefined> {
  const explicit = choice === 'webgpu';
  if (!Object.values(WEBGPU_PACKAGES).every((pkg) => host.isInstalled(pkg))) {
    if (explicit) throw new BackendNotInstalledError('webgpu');
    return undefined; // auto: optional dependencies that didn't install are the normal case on some platforms
  }
  try {
    const adapter = await host.findAdapter(explicit ? ['default', 'opengles'] : ['default']);
    if (adapter === undefined) {
      if (explicit) warnings.push('webgpu: Dawn found no GPU adapter (Vulkan, then OpenGL ES); falling back');
      return undefined;
    }
    if (adapter.software && !explicit) {
      warnings.push(`webgpu: only a software adapter (${adapterName(adapter)}), which 'auto' skips; --backend webgpu uses it`);
      return undefined;
    }
    await host.loadWebGpu();
    if (await host.activate('webgpu')) return { backend: 'webgpu', tfBackend: 'webgpu', warnings, adapter };
    warnings.push(`webgpu: tfjs's webgpu backend did not initialise on ${adapterName(adapter)}; falling back`);
  } catch (e) {
    warnings.push(`webgpu failed in a worker thread: ${message(e)}; falling back`);
  }
  return undefined;
}

/** Mesa's EGL needs a platform without a display. Set on the main thread: a worker's process.env is only a copy. */
export function prepareWebGpuEnv(name: BackendChoice): void {
  if (name === 'webgpu' || name === 'auto') process.env['EGL_PLATFORM'] ??= 'surfaceless';
}

/**
 * Environment for native TensorFlow, set before it loads and only where unset. Must also run on the main thread:
 * a worker's process.env is a copy, and libtensorflow reads the real environment.
 */
export function prepareNativeEnv(name: BackendName | 'auto'): void {
  if (name === 'tensorflow-gpu' || name === 'auto') process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true'; // threads share the GPU
  if (name === 'auto' || isNative(name)) process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2'; // no C++ logs on stderr
}

const require = createRequire(import.meta.url);
export function isPackageInstalled(pkg: string): boolean {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}
