/** Paths where two JSON values differ, e.g. `params.learningRate.max: 0.1 → 0.2`, for a clear refusal message. */
export function jsonDifferences(stored: unknown, current: unknown, path = ''): string[] {
  if (JSON.stringify(stored) === JSON.stringify(current)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (isObject(stored) && isObject(current)) {
    const keys = [...new Set([...Object.keys(stored), ...Object.keys(current)])].sort();
    return keys.flatMap((k) => jsonDifferences(stored[k], current[k], path ? `${path}.${k}` : k));
  }
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  return [`${path || '(root)'}: ${show(stored)} → ${show(current)}`];
}
