/**
 * Largest-Triangle-Three-Buckets downsampling (Steinarsson, "Downsampling Time Series for Visual Representation",
 * 2013, §4.2): keeps the first and last point and, per bucket, the point forming the largest triangle with the
 * previously kept point and the next bucket's average, so peaks and dips survive.
 */
export function lttb(points: readonly (readonly [number, number])[], threshold: number): [number, number][] {
  const n = points.length;
  if (threshold >= n || threshold < 3) return points.map((p) => [p[0], p[1]]);
  const out: [number, number][] = [[points[0]![0], points[0]![1]]];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += points[j]![0];
      avgY += points[j]![1];
    }
    const len = Math.max(1, nextEnd - nextStart);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(b * every) + 1;
    const end = Math.floor((b + 1) * every) + 1;
    const [ax, ay] = points[a]!;
    let maxArea = -1;
    let pick = start;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (points[j]![1] - ay) - (ax - points[j]![0]) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        pick = j;
      }
    }
    out.push([points[pick]![0], points[pick]![1]]);
    a = pick;
  }
  out.push([points[n - 1]![0], points[n - 1]![1]]);
  return out;
}
