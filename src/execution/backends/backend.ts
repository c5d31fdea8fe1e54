/** Backend initialisation inside a worker: once per worker and backend name, memoised. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // registers 'wasm'; in Node it runs the single-threaded SIMD build
import { registerWasmConv2DBackpropFilter } from './kernels/conv2d-backprop-filter.js';
import { isPackageInstalled, selectBackend, type BackendHost, type SelectedBackend } from './backend-select.js';
import type { BackendChoice } from '../types.js';
import { findAdapter, installWebGpu } from './webgpu.js';

const host: BackendHost = {
  isInstalled: isPackageInstalled,
  async loadNative(pkg) {
    await import(pkg); // optional peer: a variable specifier, so nothing requires it at build time
    // A nested copy of tfjs-core would register 'tensorflow' in another engine than ours.
    if (tf.findBackendFactory('tensorflow') == null) throw new Error(`${pkg} loaded, but registered no 'tensorflow' backend with this copy of @tensorflow/tfjs`);
  },
  findAdapter,
  async loadWebGpu() {
    await installWebGpu();
    if (tf.findBackendFactory('webgpu') == null) throw new Error(`tfjs-backend-webgpu loaded, but registered no 'webgpu' backend with this copy of @tensorflow/tfjs`);
  },
  async activate(tfName) {
    // setBackend answers false when the backend can't start (webgpu: no device); getBackend() would still name it.
    const ok = await tf.setBackend(tfName);
    if (!ok) {
      // Else tfjs would retry it by priority (webgpu ranks above wasm) whenever no backend is set.
      if (tfName === 'webgpu' && tf.findBackendFactory(tfName) != null) tf.removeBackend(tfName);
      return false;
    }
    await tf.ready();
    if (tfName === 'wasm') registerWasmConv2DBackpropFilter();
    return tf.getBackend() === tfName;
  },
};

/** The wasm backend silently falls back to its plain build (several times slower) where SIMD is missing. */
async function withWasmNotes(selected: SelectedBackend): Promise<SelectedBackend> {
  if (selected.tfBackend !== 'wasm' || (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true) return selected;
  return { ...selected, warnings: [...selected.warnings, 'WebAssembly SIMD is unavailable: tfjs-backend-wasm runs its slower plain build'] };
}

const selected = new Map<BackendChoice, Promise<SelectedBackend>>();

/** Initialise (once) and switch to the backend for `choice`. Rejects with the selection error, e.g. a missing package. */
export async function useBackend(choice: BackendChoice): Promise<SelectedBackend> {
  let pending = selected.get(choice);
  if (pending === undefined) {
    pending = selectBackend(choice, host).then(withWasmNotes);
    selected.set(choice, pending);
    pending.catch(() => selected.delete(choice)); // let a later call retry
  }
  const result = await pending;
  if (tf.getBackend() !== result.tfBackend) await tf.setBackend(result.tfBackend); // another choice ran in between
  return result;
}
