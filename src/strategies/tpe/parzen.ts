import type { Rng } from '../../core/rng.js';
import { LOG_SQRT_2PI, logMass, truncatedNormal } from './normal.js';

/**
 * A Parzen estimator (kernel density estimator) over TPE's coordinates (encoding.ts): real coordinates on [0, 1],
 * categorical ones as indices. One kernel per observation plus one prior kernel, mixed with weight 1 per observation
 * and `priorWeight` for the prior (Bergstra et al. 2011; Optuna's prior_weight = 1, kept by Watanabe 2023 §3.3).
 *
 * - Real coordinate: a normal kernel N(μ_i, σ²) truncated to [0, 1], so each kernel integrates to 1 on the domain;
 *   every observation kernel shares σ (bandwidth.ts). The prior kernel is N(½, 1) truncated to [0, 1].
 * - Categorical coordinate with k choices: the Aitchison–Aitken kernel p(x | o) = (1[x = o] + ε) / (1 + kε), ε = 1/N
 *   with N the number of kernels, a smoothing that fades as observations accrue (Aitchison & Aitken, Biometrika 1976,
 *   with λ = (k − 1)ε / (1 + kε); it is Optuna's categorical kernel). The prior kernel is uniform, 1/k.
 * - multivariate (Falkner et al. 2018; Watanabe 2023 §3.2): p(x) = Σ_i w_i Π_j k_ij(x_j) / W, one kernel over all
 *   coordinates, so the estimator sees interactions. Univariate (Bergstra et al. 2011): p(x) = Π_j Σ_i w_i k_ij(x_j) / W.
 */
export interface ParzenInput {
  /** Kernel centres, coordinate-major: reals[j][i] is observation i's real coordinate j, in [0, 1]. */
  readonly reals: readonly Float64Array[];
  /** cats[c][i] is observation i's choice index for categorical coordinate c. */
  readonly cats: readonly Int32Array[];
  /** Choices of each categorical coordinate. */
  readonly catSizes: readonly number[];
  /** Observations used: the first `count` entries of each array (arrays may be longer buffers). */
  readonly count: number;
  /** Bandwidth of every real coordinate, in unit coordinates, 0 < σ ≤ 1. */
  readonly sigma: number;
  /** logMass[j][i] = log Z_ij, the log mass of kernel i of coordinate j on [0, 1]; computed when not given. */
  readonly logMass?: readonly Float64Array[];
  readonly priorWeight: number;
  readonly multivariate: boolean;
}

/** log-sum-exp terms more than 40 below the largest are dropped: e^-40 ≈ 4e-18, so 10⁴ of them stay under 1e-13. */
const NEGLIGIBLE = 40;
const PRIOR_LOG_MASS = logMass(0.5, 1, 0, 1);

export class ParzenEstimator {
  private readonly n: number;
  private readonly logZ: readonly Float64Array[];
  /** Multivariate: log-kernel of observation i at x is rowBase_i + 2s²·(x·μ_i) − s²|x|² (+ categorical terms). */
  private readonly rowBase: Float64Array;
  private readonly s2: number;
  private readonly logTotal: number;
  private readonly eps: number;
  private readonly scratch: Float64Array;

  constructor(
    private readonly input: ParzenInput,
    /** A buffer of at least `count` entries the estimator may overwrite (reused across asks by the caller). */
    scratch?: Float64Array,
  ) {
    const { count, reals, sigma } = input;
    this.n = count;
    this.logZ = input.logMass ?? reals.map((mu) => Float64Array.from({ length: count }, (_, i) => logMass(mu[i]!, sigma, 0, 1)));
    this.s2 = 1 / (2 * sigma * sigma);
    this.rowBase = new Float64Array(input.multivariate ? count : 0);
    if (input.multivariate) {
      // −Σ_j (x_j − μ_ij)²/(2σ²) − Σ_j log Z_ij, expanded so that an evaluation is one multiply-add per coordinate.
      for (let j = 0; j < reals.length; j++) {
        const mu = reals[j]!;
        const z = this.logZ[j]!;
        for (let i = 0; i < count; i++) this.rowBase[i]! -= this.s2 * mu[i]! * mu[i]! + z[i]!;
      }
    }
    this.logTotal = Math.log(count + input.priorWeight);
    this.eps = 1 / (count + 1);
    this.scratch = scratch !== undefined && scratch.length >= count ? scratch : new Float64Array(count);
  }

  /** log p(x) at a point (unit real coordinates, then categorical indices). */
  logPdf(x: Float64Array): number {
    return this.input.multivariate ? this.logPdfJoint(x) : this.logPdfProduct(x);
  }

  /** One draw from the mixture, written into `out` (not snapped). */
  sample(rng: Rng, out: Float64Array): void {
    const { reals, cats, catSizes, sigma, multivariate } = this.input;
    let i = this.component(rng);
    reals.forEach((mu, j) => {
      if (!multivariate) i = this.component(rng);
      out[j] = i < 0 ? truncatedNormal(0.5, 1, 0, 1, rng()) : truncatedNormal(mu[i]!, sigma, 0, 1, rng());
    });
    cats.forEach((obs, c) => {
      if (!multivariate) i = this.component(rng);
      const k = catSizes[c]!;
      const keep = i >= 0 && rng() < 1 / (1 + k * this.eps);
      out[reals.length + c] = keep ? obs[i]! : Math.min(k - 1, Math.floor(rng() * k));
    });
  }

  /** An observation index drawn by weight, or -1 for the prior. */
  private component(rng: Rng): number {
    const u = rng() * (this.n + this.input.priorWeight);
    return u < this.n ? Math.floor(u) : -1;
  }

  private catLogs(k: number): { same: number; diff: number } {
    const norm = Math.log(1 + k * this.eps);
    return { same: Math.log(1 + this.eps) - norm, diff: Math.log(this.eps) - norm };
  }

  /** Log-density of the prior kernel times its weight. */
  private priorLog(x: Float64Array): number {
    const { reals, catSizes } = this.input;
    let e = Math.log(this.input.priorWeight);
    for (let j = 0; j < reals.length; j++) {
      const z = x[j]! - 0.5;
      e -= 0.5 * z * z + LOG_SQRT_2PI + PRIOR_LOG_MASS;
    }
    for (const k of catSizes) e -= Math.log(k);
    return e;
  }

  private logPdfJoint(x: Float64Array): number {
    const { reals, cats, catSizes, sigma } = this.input;
    const n = this.n;
    const e = this.scratch;
    const s2 = this.s2;
    let xx = 0;
    for (let j = 0; j < reals.length; j++) xx += x[j]! * x[j]!;
    const shift = -s2 * xx;
    for (let i = 0; i < n; i++) e[i] = this.rowBase[i]! + shift;
    for (let j = 0; j < reals.length; j++) {
      const mu = reals[j]!;
      const a = 2 * s2 * x[j]!;
      for (let i = 0; i < n; i++) e[i]! += a * mu[i]!;
    }
    for (let c = 0; c < cats.length; c++) {
      const obs = cats[c]!;
      const xc = x[reals.length + c]!;
      const { same, diff } = this.catLogs(catSizes[c]!);
      for (let i = 0; i < n; i++) e[i]! += obs[i] === xc ? same : diff;
    }
    // Every observation kernel shares the normal constant −Σ_j log(σ√2π); the prior's term is relative to it.
    const base = -reals.length * (Math.log(sigma) + LOG_SQRT_2PI);
    return base + logSumExp(e, n, this.priorLog(x) - base) - this.logTotal;
  }

  private logPdfProduct(x: Float64Array): number {
    const { reals, cats, catSizes, sigma, priorWeight } = this.input;
    const n = this.n;
    const e = this.scratch;
    const s2 = this.s2;
    const base = -Math.log(sigma) - LOG_SQRT_2PI;
    let total = 0;
    for (let j = 0; j < reals.length; j++) {
      const mu = reals[j]!;
      const z0 = this.logZ[j]!;
      const xj = x[j]!;
      for (let i = 0; i < n; i++) {
        const d = xj - mu[i]!;
        e[i] = -s2 * d * d - z0[i]!;
      }
      const zp = xj - 0.5;
      const prior = Math.log(priorWeight) - 0.5 * zp * zp - LOG_SQRT_2PI - PRIOR_LOG_MASS;
      total += base + logSumExp(e, n, prior - base) - this.logTotal;
    }
    for (let c = 0; c < cats.length; c++) {
      const obs = cats[c]!;
      const xc = x[reals.length + c]!;
      const k = catSizes[c]!;
      let hits = 0;
      for (let i = 0; i < n; i++) if (obs[i] === xc) hits++;
      const mass = (hits * (1 + this.eps) + (n - hits) * this.eps) / (1 + k * this.eps) + priorWeight / k;
      total += Math.log(mass) - this.logTotal;
    }
    return total;
  }
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
