/**
 * The start-up probe: every worker initialises its backend and says which one it got. Every worker, because a
 * native addon can load in the first thread and fail in the next (tfjs issue 8388); the pool then uses the backend
 * that worked everywhere, so all trials of a sweep run on the same one.
 */
import type { Piscina } from 'piscina';
import { ExecutionError } from '../../core/errors.js';
import { adapterName, type GpuAdapterFacts } from '../backends/backend-select.js';
import { errorMessage, isOutOfMemory } from '../failures.js';
import type { ProbeResponse, WorkerRequest, WorkerResponse } from '../messages.js';
import type { BackendChoice, BackendName } from '../types.js';

export interface ProbeResult {
  readonly backend: BackendName;
  readonly tfBackend: string;
  readonly warnings: readonly string[];
  /** webgpu: the adapter the workers share, named for BackendInfo. */
  readonly adapter?: string;
  readonly driver?: string;
  readonly softwareAdapter?: boolean;
}

/** Most to least preferred; disagreeing workers settle on the least preferred backend any of them got. */
const PREFERENCE: readonly BackendName[] = ['webgpu', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

/** The backend behind Dawn's default route on each platform. */
const DAWN_DEFAULT: Partial<Record<NodeJS.Platform, string>> = { linux: 'vulkan', darwin: 'metal', win32: 'd3d12' };

function adapterFields(a: GpuAdapterFacts | undefined): Pick<ProbeResult, 'adapter' | 'driver' | 'softwareAdapter'> {
  if (a === undefined) return {};
  const route = a.route === 'default' ? (DAWN_DEFAULT[process.platform] ?? 'default') : a.route;
  const driver = `${a.description || 'unknown driver'} (Dawn ${route})`;
  return { adapter: adapterName(a), driver, softwareAdapter: a.software };
}

/** Probes `workers` of the pool's threads: all of them, or one where the others load tfjs only if a trial needs it. */
export async function probeWorkers(pool: Piscina<WorkerRequest, WorkerResponse>, backend: BackendChoice, workers: number): Promise<ProbeResult> {
  // All at once, so each idle worker takes one (a worker runs one task at a time).
  const settled = await Promise.allSettled(Array.from({ length: workers }, () => pool.run({ kind: 'probe', backend })));
  const probes: Extract<ProbeResponse, { ok: true }>[] = [];
  for (const s of settled) {
    if (s.status === 'rejected') {
      // Out of memory as a code, so callers (a too small --trial-memory) needn't read the message.
      const code = isOutOfMemory(s.reason) ? 'worker-out-of-memory' : undefined;
      throw new ExecutionError(`a worker failed to start: ${errorMessage(s.reason)}`, { cause: s.reason, ...(code ? { code } : {}) });
    }
    const r = s.value;
    if (r.kind !== 'probe') throw new ExecutionError(`unexpected ${r.kind} response to the probe`);
    if (!r.ok) throw new ExecutionError(r.message); // e.g. "backend 'tensorflow' needs the package @tensorflow/tfjs-node …"
    probes.push(r);
  }
  const warnings = [...new Set(probes.flatMap((p) => p.warnings))];
  const worst = probes.reduce((a, b) => (PREFERENCE.indexOf(b.backend) > PREFERENCE.indexOf(a.backend) ? b : a));
  const distinct = new Set(probes.map((p) => p.backend));
  if (distinct.size > 1) warnings.push(`workers got different backends (${[...distinct].join(', ')}); all use ${worst.backend}`);
  const threads = new Set(probes.map((p) => p.threadId)).size;
  if (threads < workers) warnings.push(`the probe reached ${threads} of ${workers} workers`);
  const adapters = new Set(probes.map((p) => (p.adapter ? adapterName(p.adapter) : undefined)).filter((a) => a !== undefined));
  if (adapters.size > 1) warnings.push(`workers got different GPU adapters (${[...adapters].join('; ')})`);
  return { backend: worst.backend, tfBackend: worst.tfBackend, warnings, ...adapterFields(worst.adapter) };
}
