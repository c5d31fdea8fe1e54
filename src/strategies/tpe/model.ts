import type { Rng } from '../../core/rng.js';
import { bandwidth, GOOD_SHARPNESS } from './bandwidth.js';
import type { Encoding } from './encoding.js';
import { logMass } from './normal.js';
import type { ObservationStore } from './observations.js';
import { ParzenEstimator } from './parzen.js';
import type { Split } from './split.js';

export interface TpeSettings {
  /** Configs drawn from l(x) per ask; the one with the largest l(x)/g(x) is proposed (Optuna's n_ei_candidates). */
  readonly candidates: number;
  /** Quantile of observations that form the good set. */
  readonly gamma: number;
  /** One kernel over all params (true) or independent per-param estimators. */
  readonly multivariate: boolean;
}

/** Weight of the prior kernel, N(½, 1) on each unit coordinate and uniform on categories (Optuna's prior_weight). */
export const PRIOR_WEIGHT = 1;

/** Growable typed buffers, reused from ask to ask so the bad set's thousands of kernels allocate nothing. */
class Buffers {
  reals: Float64Array[];
  cats: Int32Array[];
  logZ: Float64Array[];
  scratch = new Float64Array(0);
  constructor(reals: number, cats: number) {
    this.reals = Array.from({ length: reals }, () => new Float64Array(0));
    this.cats = Array.from({ length: cats }, () => new Int32Array(0));
    this.logZ = Array.from({ length: reals }, () => new Float64Array(0));
  }
  fit(n: number): void {
    if (this.scratch.length >= n) return;
    const cap = Math.max(64, 2 * n);
    this.reals = this.reals.map(() => new Float64Array(cap));
    this.cats = this.cats.map(() => new Int32Array(cap));
    this.logZ = this.logZ.map(() => new Float64Array(cap));
    this.scratch = new Float64Array(cap);
  }
}

/**
 * Fits l and g to a split and proposes the candidate that maximises l(x)/g(x), which maximises expected improvement
 * (Bergstra et al. 2011, eq. 3; Watanabe 2023 §2.2). The bad set can hold thousands of kernels: its truncation
 * masses are cached per row while the bandwidth stays in the same tier (bandwidth.ts), and its buffers are reused.
 */
export class TpeModel {
  private massSigma = Number.NaN;
  private massRows = 0;
  private mass: Float64Array[];
  private readonly bad: Buffers;

  constructor(
    private readonly encoding: Encoding,
    private readonly store: ObservationStore,
    private readonly settings: TpeSettings,
  ) {
    this.mass = encoding.reals.map(() => new Float64Array(0));
    this.bad = new Buffers(encoding.reals.length, encoding.cats.length);
  }

  private get kernelDims(): number {
    return this.settings.multivariate ? this.encoding.dims : 1;
  }

  private estimator(rows: Int32Array, sigma: number, buffers?: Buffers): ParzenEstimator {
    const n = rows.length;
    const catSizes = this.encoding.cats.map((a) => a.values.length);
    const base = { catSizes, count: n, sigma, priorWeight: PRIOR_WEIGHT, multivariate: this.settings.multivariate };
    if (buffers === undefined) {
      const reals = this.store.reals.map((col) => Float64Array.from(rows, (r) => col[r]!));
      const cats = this.store.cats.map((col) => Int32Array.from(rows, (r) => col[r]!));
      return new ParzenEstimator({ ...base, reals, cats });
    }
    buffers.fit(n);
    const mass = this.cachedMasses(sigma);
    gather(this.store.reals, rows, buffers.reals);
    gather(this.store.cats, rows, buffers.cats);
    gather(mass, rows, buffers.logZ);
    return new ParzenEstimator({ ...base, reals: buffers.reals, cats: buffers.cats, logMass: buffers.logZ }, buffers.scratch);
  }

  /** log Z of every stored row's kernel at bandwidth `sigma`, per real coordinate; only new rows when σ is unchanged. */
  private cachedMasses(sigma: number): Float64Array[] {
    const rows = this.store.size;
    if (sigma !== this.massSigma) this.massRows = 0;
    if ((this.mass[0]?.length ?? rows) < rows) {
      const cap = Math.max(64, 2 * rows);
      this.mass = this.mass.map((old) => {
        const grown = new Float64Array(cap);
        grown.set(old.subarray(0, this.massRows));
        return grown;
      });
    }
    this.mass.forEach((col, j) => {
      const mu = this.store.reals[j]!;
      for (let r = this.massRows; r < rows; r++) col[r] = logMass(mu[r]!, sigma, 0, 1);
    });
    this.massSigma = sigma;
    this.massRows = rows;
    return this.mass;
  }

  /** The best of `candidates` draws from l, as snapped unit coordinates. */
  propose(s: Split, rng: Rng): Float64Array {
    const T0 = performance.now();
    const l = this.estimator(s.good, GOOD_SHARPNESS * bandwidth(s.good.length, this.kernelDims));
    const T1 = performance.now();
    const g = this.estimator(s.bad, bandwidth(s.bad.length, this.kernelDims), this.bad);
    const T2 = performance.now();
    let tl = 0, tg = 0, ts = 0;
    const point = new Float64Array(this.encoding.dims);
    let best: Float64Array | undefined;
    let bestScore = Number.NEGATIVE_INFINITY;
    let fallback: Float64Array | undefined;
    for (let c = 0; c < this.settings.candidates; c++) {
      let a = performance.now();
      l.sample(rng, point);
      this.encoding.snap(point);
      ts += performance.now() - a;
      if (this.inFlight(point, s.active)) {
        fallback ??= point.slice();
        continue;
      }
      a = performance.now();
      const lp = l.logPdf(point);
      tl += performance.now() - a; a = performance.now();
      const score = lp - g.logPdf(point);
      tg += performance.now() - a;
      if (best === undefined || score > bestScore) {
        best = point.slice();
        bestScore = score;
      }
    }
    (globalThis as any).__T ??= [0,0,0,0,0];
    const TT = (globalThis as any).__T; TT[0] += T1 - T0; TT[1] += T2 - T1; TT[2] += ts; TT[3] += tl; TT[4] += tg;
    return best ?? fallback ?? point;
  }

  /** The point is exactly the config of a trial in flight (possible only where every param is discrete). */
  private inFlight(point: Float64Array, active: Int32Array): boolean {
    const nr = this.store.reals.length;
    return active.some((r) => {
      for (let j = 0; j < nr; j++) if (this.store.reals[j]![r] !== point[j]) return false;
      for (let c = 0; c < this.store.cats.length; c++) if (this.store.cats[c]![r] !== point[nr + c]) return false;
      return true;
    });
  }
}

function gather<T extends Float64Array | Int32Array>(cols: readonly T[], rows: Int32Array, out: readonly T[]): void {
  cols.forEach((col, j) => {
    const dst = out[j]!;
    for (let i = 0; i < rows.length; i++) dst[i] = col[rows[i]!]!;
  });
}
