/**
 * Bandwidths of the Parzen estimators, in unit coordinates (each real param's domain scaled to [0, 1]).
 *
 * σ(n) = Scott's rule for a d-dimensional product kernel with the data's spread fixed at 0.2 of the domain,
 * 0.2 · n^(−1/(d+4)) (Scott, "Multivariate Density Estimation", 1992, eq. 6.42; Optuna's multivariate TPE, its
 * SIGMA0_MAGNITUDE; Watanabe 2023, Table 6, "optuna"), then the "magic clip" (Bergstra et al. 2011; Watanabe 2023,
 * Table 6, exponent α = 1): σ ≥ max(Δ, 1/(1 + N)), N the number of kernels (observations + the prior), so a few close observations
 * cannot collapse the estimator onto a point; and σ ≤ 1, the whole domain (the prior kernel's own bandwidth).
 * Univariate estimators use d = 1.
 *
 * The bad set g uses σ(n) as it is. The good set l uses ½·σ(n): l is the top γ of the trials and clusters far more
 * tightly than the 0.2 spread assumes, and a sharper l exploits its region more (Watanabe 2023: narrower kernels
 * exploit more). Median simple regret at 100 trials over 40 seeds other than the bench's (Branin / Hartmann6): σ(n) for l,
 * 0.043 / 0.38; ½·σ(n), 0.0023 / 0.09; 0.3·σ(n), 0.0014 / 0.23, which converges too early on Hartmann6.
 */
const SPREAD = 0.2;
/** Δ, the smallest bandwidth as a fraction of the domain (Watanabe's tutorial sampler's min_bandwidth_factor). */
export const MIN_BANDWIDTH = 0.01;
/** Factor on the good set's bandwidth. */
export const GOOD_SHARPNESS = 0.5;

/**
 * n rounded down to a tier of 1/16 of a doubling above 64 (64, 66, 69, 72, …): bandwidths change by under 0.5 %
 * from one tier to the next, and the bad set's kernel masses are recomputed only when the tier changes, so an ask
 * costs O(1) erfc calls amortised instead of O(n). Below 64 every n is its own tier.
 */
export function countTier(n: number): number {
  if (n <= 64) return n;
  return Math.floor(64 * 2 ** (Math.floor(16 * Math.log2(n / 64)) / 16));
}

/** σ(n): the bandwidth of every real coordinate of an estimator over `n` observations in `dims` dimensions. */
export function bandwidth(n: number, dims: number): number {
  const tier = Math.max(1, countTier(n));
  const scott = SPREAD * tier ** (-1 / (dims + 4));
  const floor = Math.max(MIN_BANDWIDTH, 1 / (1 + tier + 1));
  return Math.min(1, Math.max(floor, scott));
}

/**
 * Scott's rule on the data's own spread, for estimators that describe data rather than propose from it (PED-ANOVA in
 * importance/; Optuna's PED-ANOVA does the same): σ = 1.059 · min(sd, IQR / 1.34) · n^(−1/5) (Scott 1992, eq. 6.42
 * with d = 1; the robust spread of Silverman 1986, eq. 3.30), at least `floor`, at most 1 (the whole unit domain).
 * `values` holds the first `count` entries; it is not changed.
 */
export function scottBandwidth(values: Float64Array, count: number, floor: number): number {
  if (count < 2) return Math.min(1, Math.max(floor, MIN_BANDWIDTH));
  let mean = 0;
  for (let i = 0; i < count; i++) mean += values[i]!;
  mean /= count;
  let ss = 0;
  for (let i = 0; i < count; i++) ss += (values[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / (count - 1));
  const sorted = values.slice(0, count).sort();
  const at = (q: number) => {
    const pos = q * (count - 1);
    const lo = Math.floor(pos);
    return sorted[lo]! + (sorted[Math.min(count - 1, lo + 1)]! - sorted[lo]!) * (pos - lo);
  };
  const iqr = at(0.75) - at(0.25);
  const spread = iqr > 0 ? Math.min(sd, iqr / 1.34) : sd;
  return Math.min(1, Math.max(floor, MIN_BANDWIDTH, 1.059 * spread * count ** -0.2));
}
