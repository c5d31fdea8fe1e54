/**
 * When the WebGPU tests can run. They skip, saying why, only where the optional packages or the system libraries are
 * missing; anywhere else a webgpu failure is a test failure, not a skip.
 */
import { existsSync, readdirSync } from 'node:fs';
import { isPackageInstalled, WEBGPU_PACKAGES } from '../../src/execution/backends/backend-select.js';
import { vulkanLoaderPresent } from '../../src/execution/backends/webgpu.js';

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib'];

/** A Vulkan loader with at least one installed driver (ICD). */
function vulkanDriverPresent(): boolean {
  const icds = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'].filter(existsSync).flatMap((d) => readdirSync(d));
  return vulkanLoaderPresent() && icds.length > 0;
}

/** Mesa's software GPU the way CI installs it: libEGL.so (the name Dawn opens) and llvmpipe's DRI driver. */
function mesaSoftwarePresent(): boolean {
  return LIB_DIRS.some((d) => existsSync(`${d}/libEGL.so`)) && LIB_DIRS.some((d) => existsSync(`${d}/dri/swrast_dri.so`));
}

/** Why the WebGPU tests can't run here, or undefined when they can. */
export function webgpuSkipReason(): string | undefined {
  const missing = Object.values(WEBGPU_PACKAGES).filter((pkg) => !isPackageInstalled(pkg));
  if (missing.length > 0) return `optional dependencies not installed: ${missing.join(', ')}`;
  if (process.platform !== 'linux') return undefined; // Metal / D3D12 need nothing extra
  if (vulkanDriverPresent() || mesaSoftwarePresent()) return undefined;
  return 'no GPU driver: neither a Vulkan driver nor Mesa (apt-get install libegl1 libgl1-mesa-dri, and the libEGL.so link; see .ci/run)';
}

/** Trials in the GPU tests: the mnist MLP of test/execution, with dropout and L2 so more kernels run. */
export const GPU_PARAMS = { learningRate: 0.003, batchSize: 32, dropout: 0.1, l2: 0.0001 };
