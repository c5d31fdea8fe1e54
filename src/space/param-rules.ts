import type { ParamValue } from '../core/types.js';
import { ACTIVATIONS, KNOWN_PARAMS, OPTIMIZERS, PER_LAYER_PARAMS, POOLINGS, type KnownParam } from './types.js';

/**
 * What each known hyperparameter may be. The trainer would fail (or silently misbehave) on anything else,
 * so we refuse it while reading the file, before any trial starts.
 */
type NumberRule = {
  readonly kind: 'number';
  readonly integer?: boolean;
  readonly min: number;
  readonly minExclusive?: boolean;
  readonly max?: number;
  readonly maxExclusive?: boolean;
};
type ChoiceRule = { readonly kind: 'choice'; readonly values: readonly string[] };
export type ParamRule = NumberRule | ChoiceRule;

export const PARAM_RULES: Readonly<Record<KnownParam, { readonly rule: ParamRule; readonly doc: string }>> = {
  learningRate: { rule: { kind: 'number', min: 0, minExclusive: true }, doc: 'Optimizer step size (> 0). Usually searched on a log scale.' },
  batchSize: { rule: { kind: 'number', integer: true, min: 1 }, doc: 'Examples per gradient step (integer >= 1).' },
  decay: { rule: { kind: 'number', min: 0 }, doc: 'Learning-rate decay per epoch (>= 0): lr / (1 + decay * epoch).' },
  l2: { rule: { kind: 'number', min: 0 }, doc: 'L2 weight penalty on dense and conv kernels (>= 0).' },
  optimizer: { rule: { kind: 'choice', values: OPTIMIZERS }, doc: `Optimizer name, overriding task.optimizer: ${OPTIMIZERS.join(' | ')}.` },
  // [0, 1), not [0, 1]: momentum 1 never damps, and the trainer refuses it, so every trial would fail.
  momentum: { rule: { kind: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'Momentum for sgd/rmsprop, in [0, 1). Ignored by adam.' },
  dropout: { rule: { kind: 'number', min: 0, max: 1, maxExclusive: true }, doc: 'Dropout rate after each hidden layer, in [0, 1).' },
  units: {
    rule: { kind: 'number', integer: true, min: 1 },
    doc: 'Width of every hidden dense layer (integer >= 1), overriding task.model.hidden; with "perLayer": true, one param per layer (units.1 … units.N).',
  },
  layers: { rule: { kind: 'number', integer: true, min: 0 }, doc: 'Number of hidden dense layers (integer >= 0), overriding the count of task.model.hidden.' },
  activation: { rule: { kind: 'choice', values: ACTIVATIONS }, doc: `Activation of every hidden dense and conv layer: ${ACTIVATIONS.join(' | ')} (default relu).` },
  filters: {
    rule: { kind: 'number', integer: true, min: 1 },
    doc: 'cnn only: filters of every conv block (integer >= 1), overriding task.model.filters; with "perLayer": true, one param per block (filters.1 … filters.N).',
  },
  kernelSize: { rule: { kind: 'number', integer: true, min: 1 }, doc: 'cnn only: the square conv kernel size (integer >= 1), overriding task.model.kernelSize.' },
  pooling: { rule: { kind: 'choice', values: POOLINGS }, doc: `cnn only: each block's 2x2 pooling, ${POOLINGS.join(' | ')} (default max).` },
};

export function isKnownParam(name: string): name is KnownParam {
  return (KNOWN_PARAMS as readonly string[]).includes(name);
}

/** `units.3` → `units`: the per-layer param a name expands from, or undefined (space/per-layer.ts). */
export function perLayerBase(name: string): (typeof PER_LAYER_PARAMS)[number] | undefined {
  const m = /^(\w+)\.([1-9]\d*)$/.exec(name);
  return m !== null ? PER_LAYER_PARAMS.find((p) => p === m[1]) : undefined;
}

/** The known name whose rule applies to `name`: itself, or a per-layer name's base; undefined for other names. */
export function ruleNameOf(name: string): KnownParam | undefined {
  return isKnownParam(name) ? name : perLayerBase(name);
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function describeRule(rule: ParamRule): string {
  if (rule.kind === 'choice') return `one of ${rule.values.map((v) => JSON.stringify(v)).join(' | ')}`;
  const noun = rule.integer ? 'an integer' : 'a number';
  if (rule.max === undefined) return `${noun} ${rule.minExclusive ? '>' : '>='} ${rule.min}`;
  return `${noun} in ${rule.minExclusive ? '(' : '['}${rule.min}, ${rule.max}${rule.maxExclusive ? ')' : ']'}`;
}

/** Why `value` is not allowed for `name`, or null when it is. */
export function checkParamValue(name: KnownParam, value: ParamValue): string | null {
  const { rule } = PARAM_RULES[name];
  const bad = `expected ${describeRule(rule)} for ${name}, got ${show(value)}`;
  if (rule.kind === 'choice') return typeof value === 'string' && rule.values.includes(value) ? null : bad;
  if (typeof value !== 'number') return bad;
  if (rule.integer && !Number.isInteger(value)) return bad;
  if (rule.minExclusive ? value <= rule.min : value < rule.min) return bad;
  if (rule.max !== undefined && (rule.maxExclusive ? value >= rule.max : value > rule.max)) return bad;
  return null;
}

/** The raw shapes a param may take in the file (after zod's structural checks). */
export type RawParam =
  | ParamValue
  | { readonly type: 'float' | 'int'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'categorical'; readonly values: readonly ParamValue[] };

export interface RuleIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** Applies the per-name rule to a fixed value, to each categorical value, or to both bounds of a range. */
export function paramRuleIssues(name: KnownParam, spec: RawParam): RuleIssue[] {
  const issues: RuleIssue[] = [];
  const check = (path: (string | number)[], value: ParamValue): void => {
    const message = checkParamValue(name, value);
    if (message !== null) issues.push({ path, message });
  };
  if (typeof spec !== 'object') {
    check([], spec);
  } else if (spec.type === 'categorical') {
    spec.values.forEach((v, i) => check(['values', i], v));
  } else {
    const { rule } = PARAM_RULES[name];
    if (rule.kind === 'choice') {
      issues.push({ path: ['type'], message: `${name} takes names, not a range: use "categorical" with values from ${rule.values.join(', ')}` });
    } else if (rule.integer && spec.type === 'float') {
      issues.push({ path: ['type'], message: `${name} takes integers: use "int" instead of "float"` });
    } else {
      // A log range with min <= 0 is already reported by the range check; one message per mistake.
      if (!(spec.log && spec.min <= 0)) check(['min'], spec.min);
      check(['max'], spec.max);
    }
  }
  return issues;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment), for "did you mean" hints. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[x.length]![y.length]!;
}

export function unknownKeyMessage(key: string, known: readonly string[], what: string): string {
  const near = known.filter((k) => distance(key, k) <= Math.max(1, Math.floor(k.length / 4)));
  const hint = near.length > 0 ? ` (did you mean ${near.map((k) => `"${k}"`).join(' or ')}?)` : '';
  return `unknown ${what} "${key}"${hint}; expected one of: ${known.join(', ')}`;
}
