import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSweep, type BackendChoice, type SweepEvent } from '../engine/index.js';
import type { SearchSpace } from '../space/types.js';

export interface ProbeResult {
  /** From the call until the workers were up (pool start, backend probe). */
  readonly startupMs: number;
  /** One epoch of a trial, from its dispatch to its first report: building its model included. */
  readonly epochMs: number;
  /** What the first trial of a worker takes on top: loading the data, which each worker does once. */
  readonly firstTrialExtraMs: number;
  readonly backend: string;
  /** A trial's failure, if one failed: the space is valid but its task doesn't run. */
  readonly error: { readonly kind: string; readonly message: string } | null;
}

/**
 * Trains two one-epoch trials of the space, one after the other on one worker, through the public `runSweep` in a
 * throwaway database, and times them: the second gives an epoch's time, the first also pays the worker's data
 * load. The study's own database is never touched.
 */
export async function probeOneEpoch(space: SearchSpace, backend: BackendChoice): Promise<ProbeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tune-check-'));
  const t0 = performance.now();
  let ready = t0;
  let backendName: string = backend;
  const dispatched = new Map<number, number>();
  const firstReport = new Map<number, number>();
  const onEvent = (e: SweepEvent) => {
    const now = performance.now();
    if (e.type === 'start') {
      ready = now;
      backendName = e.backend.backend;
    }
    if (e.type === 'trial-start') dispatched.set(e.trial.number, now);
    // An objective that reports nothing ends without an epoch event: its whole run is the epoch.
    if ((e.type === 'epoch' || e.type === 'trial-end') && !firstReport.has(e.trial.number)) firstReport.set(e.trial.number, now);
  };
  const probe: SearchSpace = { ...space, task: { ...space.task, epochs: 1 }, strategy: { type: 'random', trials: 2 } };
  try {
    const result = await runSweep(probe, { storage: join(dir, 'probe.db'), checkpoints: join(dir, 'checkpoints'), workers: 1, backend, onEvent });
    const took = (n: number) => (firstReport.get(n) ?? performance.now()) - (dispatched.get(n) ?? t0);
    const epochMs = took(1);
    return {
      startupMs: ready - t0,
      epochMs,
      firstTrialExtraMs: Math.max(0, took(0) - epochMs),
      backend: backendName,
      error: result.trials.find((t) => t.error !== null)?.error ?? null,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
