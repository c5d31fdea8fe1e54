/**
 * Which tfjs backend a worker uses: the order of preference and the fallbacks, as pure logic over a small host
 * interface so it can be tested without native packages. No tfjs import here (the pool imports this file).
 */
import { createRequire } from 'node:module';
import { ExecutionError } from '../core/errors.js';
import type { BackendChoice, BackendName } from './types.js';

/** The optional peer packages behind the native backends. Both register tfjs backend 'tensorflow'. */
export const NATIVE_PACKAGES = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
} as const satisfies Partial<Record<BackendName, string>>;
type NativeName = keyof typeof NATIVE_PACKAGES;

/** The tfjs version the native packages must match. */
export const TFJS_VERSION = '4.22.0';

const TF_NAMES: Record<BackendName, string> = { 'tensorflow-gpu': 'tensorflow', tensorflow: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

export function isNative(name: BackendName): name is NativeName {
  return name === 'tensorflow-gpu' || name === 'tensorflow';
}

/** Raised when an explicitly requested native backend's package is missing; the pool passes it on as is. */
export class BackendNotInstalledError extends ExecutionError {
  constructor(readonly backend: NativeName) {
    const pkg = NATIVE_PACKAGES[backend];
    super(`backend '${backend}' needs the package ${pkg}, which is not installed: run \`npm install ${pkg}@${TFJS_VERSION}\`, or choose the 'wasm' backend`);
  }
}

/** What selection needs from the running worker. */
export interface BackendHost {
  isInstalled(pkg: string): boolean;
  /** Import a native package (it registers the 'tensorflow' backend). */
  loadNative(pkg: string): Promise<void>;
  /** Switch tfjs to `tfName`; false or a throw means it is unusable here. */
  activate(tfName: string): Promise<boolean>;
}

export interface SelectedBackend {
  readonly backend: BackendName;
  readonly tfBackend: string;
  readonly warnings: readonly string[];
}

function candidates(choice: BackendChoice): readonly BackendName[] {
  switch (choice) {
    case 'auto':
      return ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];
    case 'tensorflow-gpu':
    case 'tensorflow':
      return [choice, 'wasm'];
    default:
      return [choice];
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';

export async function selectBackend(choice: BackendChoice, host: BackendHost): Promise<SelectedBackend> {
  const warnings: string[] = [];
  for (const name of candidates(choice)) {
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
 * Environment for native TensorFlow, set before it loads and only where unset. Must also run on the main thread:
 * a worker's process.env is a copy, and libtensorflow reads the real environment.
 */
export function prepareNativeEnv(name: BackendName | 'auto'): void {
  if (name === 'tensorflow-gpu' || name === 'auto') process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true'; // threads share the GPU
  if (name !== 'wasm' && name !== 'cpu') process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2'; // no C++ logs on stderr
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
