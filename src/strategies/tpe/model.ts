import type { Rng } from '../../core/rng.js';
import { bandwidth, GOOD_SHARPNESS } from './bandwidth.js';
import { gatherBlocks, getCoord, growBlocks, makeBlocks, type Blocks } from './blocks.js';
import type { Encoding } from './encoding.js';
import type { ObservationStore } from './observations.js';
import { massesOf, ParzenEstimator } from './parzen.js';
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

/**
 * Most kernels g evaluates. Beyond this many bad observations, g keeps every k-th (by trial order, k = ⌈n/2048⌉),
 * each standing for k: a systematic subsample of the same mixture, with the full set's bandwidth. It bounds an ask's
 * cost in long studies (g over 5,000 kernels × 24 candidates is ~120k exps); Watanabe 2023's weighting algorithms and Hyperopt's linear
 * forgetting likewise down-weight old observations. Failed trials and trials in flight are always kept.
 */
export const MAX_BAD_KERNELS = 2048;

/** Growable buffers for an estimator's kernels, reused from ask to ask. */
class Kernels {
  capacity = 0;
  reals: Blocks = [];
  mass: Blocks = [];
  cats: Int32Array[] = [];
  scratch = new Float64Array(0);
  constructor(
    private readonly realDims: number,
    private readonly catDims: number,
  ) {}
  reserve(n: number): void {
    if (this.capacity >= n) return;
    this.capacity = Math.max(64, 2 * n);
    this.reals = makeBlocks(this.realDims, this.capacity);
    this.mass = makeBlocks(this.realDims, this.capacity);
    this.cats = Array.from({ length: this.catDims }, () => new Int32Array(this.capacity));
    this.scratch = new Float64Array(this.capacity);
  }
}

/**
 * Fits l and g to a split and proposes the candidate that maximises l(x)/g(x), which maximises expected improvement
 * (Bergstra et al. 2011, §4.1; Watanabe 2023). The bad set can hold thousands of kernels: their truncation
 * masses are cached per row while the bandwidth stays in one tier (bandwidth.ts), and their buffers are reused.
 */
export class TpeModel {
  private massSigma = Number.NaN;
  private massRows = 0;
  private mass: Blocks;
  private readonly good: Kernels;
  private readonly bad: Kernels;

  constructor(
    private readonly encoding: Encoding,
    private readonly store: ObservationStore,
    private readonly settings: TpeSettings,
  ) {
    this.mass = makeBlocks(store.realDims, 0);
    this.good = new Kernels(store.realDims, encoding.cats.length);
    this.bad = new Kernels(store.realDims, encoding.cats.length);
  }

  private get kernelDims(): number {
    return this.settings.multivariate ? this.encoding.dims : 1;
  }

  /** An estimator over store rows `rows`; the bad set's truncation masses come from the per-row cache. */
  private estimator(rows: Int32Array, buffers: Kernels, sigma: number, cachedMass: boolean, priorWeight = PRIOR_WEIGHT): ParzenEstimator {
    const n = rows.length;
    const dims = this.store.realDims;
    buffers.reserve(n);
    gatherBlocks(this.store.reals, rows, buffers.reals);
    this.store.cats.forEach((col, c) => {
      const out = buffers.cats[c]!;
      for (let i = 0; i < n; i++) out[i] = col[rows[i]!]!;
    });
    if (cachedMass) gatherBlocks(this.cachedMasses(sigma), rows, buffers.mass);
    else massesOf(buffers.reals, dims, n, sigma, 0, buffers.mass);
    const catSizes = this.encoding.cats.map((a) => a.values.length);
    const input = { reals: buffers.reals, realDims: dims, cats: buffers.cats, catSizes, count: n, sigma, logMass: buffers.mass };
    return new ParzenEstimator({ ...input, priorWeight, multivariate: this.settings.multivariate }, buffers.scratch);
  }

  /** log Z of every stored row's kernels at bandwidth `sigma`; only rows added since are computed while σ is unchanged. */
  private cachedMasses(sigma: number): Blocks {
    const rows = this.store.size;
    if (sigma !== this.massSigma) this.massRows = 0;
    if ((this.mass[0]?.length ?? Infinity) < 4 * rows) this.mass = growBlocks(this.mass, Math.max(64, 2 * rows));
    massesOf(this.store.reals, this.store.realDims, rows, sigma, this.massRows, this.mass);
    this.massSigma = sigma;
    this.massRows = rows;
    return this.mass;
  }

  /** The best of `candidates` draws from l, as snapped unit coordinates. */
  propose(s: Split, rng: Rng): Float64Array {
    const l = this.estimator(s.good, this.good, GOOD_SHARPNESS * bandwidth(s.good.length, this.kernelDims), false);
    const size = s.bad.length + s.extra.length;
    const kept = thin(s.bad, s.extra);
    // Kept kernels each stand for size/kept observations: the prior's weight relative to them shrinks by that factor.
    const g = this.estimator(kept, this.bad, bandwidth(size, this.kernelDims), true, size > 0 ? (PRIOR_WEIGHT * kept.length) / size : PRIOR_WEIGHT);
    const D = this.encoding.dims;
    const m = this.settings.candidates;
    const points = new Float64Array(m * D);
    const usable: boolean[] = [];
    for (let c = 0; c < m; c++) {
      const point = points.subarray(c * D, (c + 1) * D);
      l.sample(rng, point);
      this.encoding.snap(point);
      usable.push(!this.inFlight(point, s.active));
    }
    const lp = new Float64Array(m);
    const gp = new Float64Array(m);
    l.logPdfMany(points, m, lp);
    g.logPdfMany(points, m, gp);
    let best = -1;
    for (let c = 0; c < m; c++) {
      if (usable[c] && (best < 0 || lp[c]! - gp[c]! > lp[best]! - gp[best]!)) best = c;
    }
    // Every candidate equals a config in flight (a tiny discrete space): propose the first anyway.
    const k = Math.max(0, best);
    return points.slice(k * D, (k + 1) * D);
  }

  /** The point is exactly the config of a trial in flight (possible only where every param is discrete). */
  private inFlight(point: Float64Array, active: Int32Array): boolean {
    const R = this.store.realDims;
    const sameReals = (r: number) => {
      for (let j = 0; j < R; j++) if (getCoord(this.store.reals, r, j) !== point[j]) return false;
      return true;
    };
    return active.some((r) => sameReals(r) && this.store.cats.every((col, c) => col[r] === point[R + c]));
  }
}

/** Every k-th row of `bad`, k = ⌈|bad| / (MAX_BAD_KERNELS − |extra|)⌉, merged with all of `extra`, ascending. */
function thin(bad: Int32Array, extra: Int32Array): Int32Array {
  const k = Math.max(1, Math.ceil(bad.length / Math.max(1, MAX_BAD_KERNELS - extra.length)));
  const out = new Int32Array(Math.ceil(bad.length / k) + extra.length);
  let b = 0;
  let x = 0;
  for (let o = 0; o < out.length; o++) {
    if (x >= extra.length || (b < bad.length && bad[b]! < extra[x]!)) {
      out[o] = bad[b]!;
      b += k;
    } else out[o] = extra[x++]!;
  }
  return out;
}
