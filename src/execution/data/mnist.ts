/** The `mnist` package's 10,000 digits (≈1,000 per class), interleaved by class so any prefix is stratified. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { LabelledData } from './types.js';

const PIXELS = 28 * 28;
const CLASSES = 10;
let full: LabelledData | undefined; // parsed once per thread: ~22 MB of JSON

function digitsFolder(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist/package.json');
  return join(dirname(pkg), 'src', 'digits');
}

function readDigit(folder: string, digit: number): Float32Array {
  const file = join(folder, `${digit}.json`);
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown };
  if (!Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0) throw new Error(`${file}: expected { "data": [...] } with a multiple of ${PIXELS} values`);
  return Float32Array.from(parsed.data as number[]);
}

function loadAll(): LabelledData {
  const folder = digitsFolder();
  const perDigit = Array.from({ length: CLASSES }, (_, d) => readDigit(folder, d));
  const counts = perDigit.map((a) => a.length / PIXELS);
  const count = counts.reduce((s, c) => s + c, 0);
  const features = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let row = 0;
  // Round-robin: 0,1,…,9,0,1,… until every class is used up.
  for (let i = 0; i < Math.max(...counts); i++) {
    for (let d = 0; d < CLASSES; d++) {
      if (i >= counts[d]!) continue;
      features.set(perDigit[d]!.subarray(i * PIXELS, (i + 1) * PIXELS), row * PIXELS);
      labels[row++] = d;
    }
  }
  const classNames = Array.from({ length: CLASSES }, (_, d) => String(d));
  return { features, labels, count, numFeatures: PIXELS, numClasses: CLASSES, classNames, imageShape: [28, 28, 1] };
}

/** All digits, or the first `limit` of the interleaved order (a stratified subset). */
export function loadMnist(limit?: number): LabelledData {
  full ??= loadAll();
  if (limit === undefined || limit >= full.count) return full;
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`mnist limit must be a positive integer, got ${limit}`);
  return { ...full, features: full.features.slice(0, limit * PIXELS), labels: full.labels.slice(0, limit), count: limit };
}
