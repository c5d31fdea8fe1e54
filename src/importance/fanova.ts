import { normalised, type Columns } from './columns.js';
import { growForest, type Tree } from './forest.js';
import type { ImportanceOptions, ImportanceScores } from './index.js';

/**
 * fANOVA (Hutter, Hoos, Leyton-Brown, ICML 2014): the share of the variance of a random forest's prediction over
 * the whole space that each param's main effect explains, computed exactly per tree (their Theorem 2) and averaged
 * over the trees (their §3.2). Here the space is the unit box of the columns (log ranges in log space, so uniform
 * in log space) with each categorical choice weighing 1/k.
 *
 * For one tree with leaves l, boxes B_l = Π_d B_ld and means v_l, with |·| the uniform measure:
 *   f0 = Σ_l |B_l| v_l,  V = Σ_l |B_l| (v_l − f0)²,
 *   the main effect of d at x_d: m_d(x_d) = Σ_{l: x_d ∈ B_ld} v_l |B_l| / |B_ld|  (the prediction averaged over the rest),
 *   V_d = ∫ (m_d(x_d) − f0)² dx_d, piecewise constant between the tree's cuts on d.
 * Importance of d: the mean over trees of V_d / V, then normalised so the params' scores sum to 1 (the rest of V,
 * the interactions, is left out, as Optuna's FanovaImportanceEvaluator does).
 *
 * Why fANOVA rather than permutation importance: it measures the whole space's variance, a global view that
 * complements PED-ANOVA's view of the top trials; it needs no held-out data (permutation importance on the
 * training trials rewards overfitting, and out-of-bag error is noisy at a few dozen trials); and it is Optuna's
 * default importance, so users can compare.
 */
export const FANOVA_DEFAULTS = { trees: 32, maxDepth: 12, minLeaf: 2 } as const;

export function fanovaImportance(columns: Columns, options: ImportanceOptions): ImportanceScores {
  const trees = growForest(columns, {
    trees: options.trees ?? FANOVA_DEFAULTS.trees,
    maxDepth: options.maxDepth ?? FANOVA_DEFAULTS.maxDepth,
    minLeaf: options.minLeaf ?? FANOVA_DEFAULTS.minLeaf,
    seed: options.seed ?? 0,
  });
  const d = columns.columns.length;
  const sizes = columns.columns.map((c) => (c.kind === 'cat' ? c.size : 0));
  const mean = new Float64Array(d);
  let counted = 0;
  for (const tree of trees) {
    const shares = treeShares(tree, sizes);
    if (shares === null) continue;
    counted++;
    for (let j = 0; j < d; j++) mean[j]! += shares[j]!;
  }
  return normalised(
    columns.columns.map((c) => c.name),
    Array.from(mean, (v) => (counted > 0 ? v / counted : 0)),
  );
}

/** V_d / V for each column of one tree; null when the tree predicts a constant. `sizes[j]` > 0 marks a categorical. */
function treeShares(tree: Tree, sizes: readonly number[]): Float64Array | null {
  const d = sizes.length;
  // The cuts on each range column, with 0 and 1: the main effect is constant between neighbours.
  const cutSets: Set<number>[] = sizes.map(() => new Set([0, 1]));
  for (let node = 0; node < tree.nodes; node++) {
    const f = tree.feature[node]!;
    if (f >= 0 && sizes[f] === 0) cutSets[f]!.add(tree.threshold[node]!);
  }
  const cuts = cutSets.map((s, j) => (sizes[j]! > 0 ? new Float64Array(0) : Float64Array.from(s).sort()));
  // Per column, a difference array over its intervals (ranges) or a sum per choice (categoricals).
  const effect = sizes.map((k, j) => new Float64Array(k > 0 ? k : cuts[j]!.length));
  const lo = new Float64Array(d);
  const hi = new Float64Array(d).fill(1);
  const allowed = sizes.map((k) => new Uint8Array(k).fill(1));
  const allowedCount = sizes.slice();
  const width = new Float64Array(d);
  let f0 = 0;
  let second = 0;

  const locate = (grid: Float64Array, x: number): number => {
    let a = 0;
    let b = grid.length - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (grid[m]! < x) a = m + 1;
      else b = m;
    }
    return a;
  };

  const leaf = (v: number) => {
    let vol = 1;
    for (let j = 0; j < d; j++) {
      width[j] = sizes[j]! > 0 ? allowedCount[j]! / sizes[j]! : hi[j]! - lo[j]!;
      vol *= width[j]!;
    }
    if (vol <= 0) return;
    f0 += vol * v;
    second += vol * v * v;
    for (let j = 0; j < d; j++) {
      const c = (v * vol) / width[j]!;
      const e = effect[j]!;
      if (sizes[j]! > 0) {
        const a = allowed[j]!;
        for (let k = 0; k < a.length; k++) if (a[k] === 1) e[k]! += c;
      } else {
        // Intervals are [cuts[i], cuts[i+1]); this box covers intervals locate(lo) … locate(hi) − 1.
        e[locate(cuts[j]!, lo[j]!)]! += c;
        e[locate(cuts[j]!, hi[j]!)]! -= c;
      }
    }
  };

  const walk = (node: number) => {
    const f = tree.feature[node]!;
    if (f < 0) return leaf(tree.value[node]!);
    const left = tree.left[node]!;
    const right = tree.right[node]!;
    if (sizes[f]! > 0) {
      const choices = tree.leftChoices.get(node)!;
      const saved = allowed[f]!.slice();
      const savedCount = allowedCount[f]!;
      for (const [side, goLeft] of [[left, 1], [right, 0]] as const) {
        let count = 0;
        for (let k = 0; k < saved.length; k++) {
          const on = saved[k] === 1 && choices[k] === goLeft ? 1 : 0;
          allowed[f]![k] = on;
          count += on;
        }
        allowedCount[f] = count;
        if (count > 0) walk(side);
      }
      allowed[f]!.set(saved);
      allowedCount[f] = savedCount;
    } else {
      const t = tree.threshold[node]!;
      const savedLo = lo[f]!;
      const savedHi = hi[f]!;
      if (t > savedLo) {
        hi[f] = Math.min(savedHi, t);
        walk(left);
        hi[f] = savedHi;
      }
      if (t < savedHi) {
        lo[f] = Math.max(savedLo, t);
        walk(right);
        lo[f] = savedLo;
      }
    }
  };
  walk(0);

  const variance = second - f0 * f0;
  if (!(variance > 1e-12 * Math.max(1, f0 * f0))) return null;
  const shares = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const e = effect[j]!;
    let vj = 0;
    if (sizes[j]! > 0) {
      for (let k = 0; k < e.length; k++) vj += (e[k]! - f0) ** 2 / sizes[j]!;
    } else {
      const grid = cuts[j]!;
      let running = 0;
      for (let i = 0; i + 1 < grid.length; i++) {
        running += e[i]!;
        vj += (grid[i + 1]! - grid[i]!) * (running - f0) ** 2;
      }
    }
    shares[j] = Math.min(1, vj / variance);
  }
  return shares;
}
