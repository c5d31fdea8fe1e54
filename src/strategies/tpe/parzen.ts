import type { Rng } from '../../core/rng.js';
import { getCoord, makeBlocks, type Blocks } from './blocks.js';
import { LOG_SQRT_2PI, logMass, truncatedNormal } from './normal.js';

/**
 * A Parzen estimator (kernel density estimator) over TPE's coordinates (encoding.ts): real coordinates on [0, 1],
 * categorical ones as indices. One kernel per observation plus one prior kernel, mixed with weight 1 per observation
 * and `priorWeight` for the prior (Bergstra et al. 2011; Optuna's prior_weight = 1; Watanabe 2023 ablates it).
 *
 * - Real coordinate: a normal kernel N(μ_i, σ²) truncated to [0, 1], so each kernel integrates to 1 on the domain;
 *   every observation kernel shares σ (bandwidth.ts). The prior kernel is N(½, 1) truncated to [0, 1].
 * - Categorical coordinate with k choices: the Aitchison–Aitken kernel p(x | o) = (1[x = o] + ε) / (1 + kε), ε = 1/N
 *   with N the number of kernels, a smoothing that fades as observations accrue (Aitchison & Aitken, Biometrika 1976,
 *   with λ = (k − 1)ε / (1 + kε); it is Optuna's categorical kernel). The prior kernel is uniform, 1/k.
 * - multivariate (Falkner et al. 2018; recommended by Watanabe 2023): p(x) = Σ_i w_i Π_j k_ij(x_j) / W, one kernel over all
 *   coordinates, so the estimator sees interactions. Univariate (Bergstra et al. 2011): p(x) = Π_j Σ_i w_i k_ij(x_j) / W.
 */
export interface ParzenInput {
  /** Kernel centres' real coordinates, in [0, 1], in blocks (blocks.ts). */
  readonly reals: Blocks;
  readonly realDims: number;
  /** cats[c][i] is observation i's choice index for categorical coordinate c. */
  readonly cats: readonly Int32Array[];
  /** Choices of each categorical coordinate. */
  readonly catSizes: readonly number[];
  /** Observations: the first `count` rows (the arrays may be longer buffers). */
  readonly count: number;
  /** Bandwidth of every real coordinate, in unit coordinates, 0 < σ ≤ 1. */
  readonly sigma: number;
  /** log Z_ij, the log mass of kernel i of coordinate j on [0, 1], laid out like `reals` (0 in the padding). */
  readonly logMass?: Blocks;
  readonly priorWeight: number;
  readonly multivariate: boolean;
}

/** log-sum-exp terms more than 40 below the largest are dropped: e^-40 ≈ 4e-18, so 10⁴ of them stay under 1e-13. */
const NEGLIGIBLE = 40;
const PRIOR_LOG_MASS = logMass(0.5, 1, 0, 1);

export class ParzenEstimator {
  private readonly n: number;
  private readonly logZ: Blocks;
  /** Multivariate: the log-kernel of observation i at x is rowBase_i − s²|x|² + 2s²(x·μ_i) + its categorical terms. */
  private readonly rowBase: Float64Array;
  private readonly s2: number;
  private readonly logTotal: number;
  private readonly eps: number;
  private readonly scratch: Float64Array;
  /** Univariate: how many observations chose each value, per categorical coordinate. */
  private readonly catCounts: readonly Float64Array[];

  constructor(
    private readonly input: ParzenInput,
    /** A buffer of at least `count` entries the estimator may overwrite (the caller reuses it from ask to ask). */
    scratch?: Float64Array,
  ) {
    const { count, reals, realDims, sigma, catSizes, cats } = input;
    this.n = count;
    this.logZ = input.logMass ?? massesOf(reals, realDims, count, sigma);
    this.s2 = 1 / (2 * sigma * sigma);
    this.rowBase = new Float64Array(input.multivariate ? count : 0);
    if (input.multivariate) {
      // −Σ_j (x_j − μ_ij)²/(2σ²) − Σ_j log Z_ij, expanded so that an evaluation is one multiply-add per coordinate.
      reals.forEach((block, b) => {
        const z = this.logZ[b]!;
        for (let k = 0; k < 4 * count; k++) this.rowBase[k >> 2]! -= this.s2 * block[k]! * block[k]! + z[k]!;
      });
    }
    this.catCounts = catSizes.map((size, c) => {
      const counts = new Float64Array(size);
      if (!input.multivariate) for (let i = 0; i < count; i++) counts[cats[c]![i]!]!++;
      return counts;
    });
    this.logTotal = Math.log(count + input.priorWeight);
    this.eps = 1 / (count + 1);
    this.scratch = scratch !== undefined && scratch.length >= count ? scratch : new Float64Array(count);
  }

  /** log p(x) at one point (unit real coordinates, then categorical indices). */
  logPdf(x: Float64Array): number {
    const out = new Float64Array(1);
    this.logPdfMany(x, 1, out);
    return out[0]!;
  }

  /** log p at `m` points stored row-major in `xs` (m × (real + categorical coordinates)), written to `out`. */
  logPdfMany(xs: Float64Array, m: number, out: Float64Array): void {
    for (let p = 0; p < m; p++) out[p] = this.input.multivariate ? this.joint(xs, p) : this.product(xs, p);
  }

  /** One draw from the mixture, written into `out` (not snapped). */
  sample(rng: Rng, out: Float64Array): void {
    const { reals, realDims: R, cats, catSizes, sigma, multivariate } = this.input;
    let i = this.component(rng);
    for (let j = 0; j < R; j++) {
      if (!multivariate) i = this.component(rng);
      out[j] = i < 0 ? truncatedNormal(0.5, 1, 0, 1, rng()) : truncatedNormal(getCoord(reals, i, j), sigma, 0, 1, rng());
    }
    for (let c = 0; c < catSizes.length; c++) {
      if (!multivariate) i = this.component(rng);
      const k = catSizes[c]!;
      const keep = i >= 0 && rng() < 1 / (1 + k * this.eps);
      out[R + c] = keep ? cats[c]![i]! : Math.min(k - 1, Math.floor(rng() * k));
    }
  }

  /** An observation index drawn by weight, or -1 for the prior. */
  private component(rng: Rng): number {
    const u = rng() * (this.n + this.input.priorWeight);
    return u < this.n ? Math.floor(u) : -1;
  }

  /** log p(x_c | o) for x_c = o (same) and for x_c ≠ o. */
  private catLog(k: number, same: boolean): number {
    return Math.log(same ? 1 + this.eps : this.eps) - Math.log(1 + k * this.eps);
  }

  /** The prior kernel's log-density at x, times its weight. */
  private priorLog(xs: Float64Array, x: number): number {
    const { realDims: R, catSizes } = this.input;
    let prior = Math.log(this.input.priorWeight);
    for (let j = 0; j < R; j++) prior -= 0.5 * (xs[x + j]! - 0.5) ** 2 + LOG_SQRT_2PI + PRIOR_LOG_MASS;
    for (const k of catSizes) prior -= Math.log(k);
    return prior;
  }

  private joint(xs: Float64Array, p: number): number {
    const { reals, realDims: R, cats, catSizes, sigma } = this.input;
    const D = R + catSizes.length;
    const x = p * D;
    const n = this.n;
    const s2 = this.s2;
    const e = this.scratch;
    let shift = 0;
    for (let j = 0; j < R; j++) shift -= s2 * xs[x + j]! * xs[x + j]!;
    catSizes.forEach((k) => (shift += this.catLog(k, false)));
    const rowBase = this.rowBase;
    for (let i = 0; i < n; i++) e[i] = rowBase[i]! + shift;
    const t = 2 * s2;
    for (let b = 0; b < reals.length; b++) {
      const M = reals[b]!;
      const j = x + 4 * b;
      const a0 = 4 * b < R ? t * xs[j]! : 0;
      const a1 = 4 * b + 1 < R ? t * xs[j + 1]! : 0;
      const a2 = 4 * b + 2 < R ? t * xs[j + 2]! : 0;
      const a3 = 4 * b + 3 < R ? t * xs[j + 3]! : 0;
      for (let i = 0, r = 0; i < n; i++, r += 4) e[i]! += a0 * M[r]! + a1 * M[r + 1]! + a2 * M[r + 2]! + a3 * M[r + 3]!;
    }
    for (let c = 0; c < cats.length; c++) {
      const obs = cats[c]!;
      const xc = xs[x + R + c]!;
      const bonus = this.catLog(catSizes[c]!, true) - this.catLog(catSizes[c]!, false);
      for (let i = 0; i < n; i++) if (obs[i] === xc) e[i]! += bonus;
    }
    // Every observation kernel shares the normal constant −R·log(σ√2π); the prior's term is taken relative to it.
    const base = -R * (Math.log(sigma) + LOG_SQRT_2PI);
    return base + logSumExp(e, n, this.priorLog(xs, x) - base) - this.logTotal;
  }

  private product(xs: Float64Array, p: number): number {
    const { reals, realDims: R, catSizes, sigma, priorWeight } = this.input;
    const x = p * (R + catSizes.length);
    const n = this.n;
    const s2 = this.s2;
    const e = this.scratch;
    const base = -Math.log(sigma) - LOG_SQRT_2PI;
    let total = 0;
    for (let j = 0; j < R; j++) {
      const M = reals[j >> 2]!;
      const Z = this.logZ[j >> 2]!;
      const k = j & 3;
      const xj = xs[x + j]!;
      for (let i = 0; i < n; i++) {
        const d = xj - M[4 * i + k]!;
        e[i] = -s2 * d * d - Z[4 * i + k]!;
      }
      const prior = Math.log(priorWeight) - 0.5 * (xj - 0.5) ** 2 - LOG_SQRT_2PI - PRIOR_LOG_MASS;
      total += base + logSumExp(e, n, prior - base) - this.logTotal;
    }
    this.catCounts.forEach((counts, c) => {
      const k = catSizes[c]!;
      const hits = counts[xs[x + R + c]!]!;
      const mass = (hits * (1 + this.eps) + (n - hits) * this.eps) / (1 + k * this.eps) + priorWeight / k;
      total += Math.log(mass) - this.logTotal;
    });
    return total;
  }
}

/** log Z of each kernel of `reals` at bandwidth `sigma`, in the same blocks (0 in the padding). */
export function massesOf(reals: Blocks, dims: number, count: number, sigma: number, from = 0, into?: Blocks): Blocks {
  const out = into ?? makeBlocks(dims, count);
  for (let j = 0; j < dims; j++) {
    const M = reals[j >> 2]!;
    const Z = out[j >> 2]!;
    for (let i = from; i < count; i++) Z[4 * i + (j & 3)] = logMass(M[4 * i + (j & 3)]!, sigma, 0, 1);
  }
  return out;
}

/** log(Σ_{i<n} exp(e_i) + exp(extra)), dropping terms more than NEGLIGIBLE below the largest. */
function logSumExp(e: Float64Array, n: number, extra: number): number {
  let max = extra;
  for (let i = 0; i < n; i++) if (e[i]! > max) max = e[i]!;
  const floor = max - NEGLIGIBLE;
  let sum = Math.exp(extra - max);
  for (let i = 0; i < n; i++) {
    const v = e[i]!;
    if (v > floor) sum += Math.exp(v - max);
  }
  return max + Math.log(sum);
}
