/**
 * A pure-function objective: the Branin-Hoo function, a standard test for global optimisers, on x1 in [-5, 10]
 * and x2 in [0, 15]. Its known minimum is 0.397887, reached at three points: (-π, 12.275), (π, 2.275) and
 * (9.42478, 2.475). Run it with `npx tune --space search-spaces/examples/branin.json`.
 */
import type { Params } from 'tfjs-tune';

const a = 1;
const b = 5.1 / (4 * Math.PI ** 2);
const c = 5 / Math.PI;
const r = 6;
const s = 10;
const t = 1 / (8 * Math.PI);

export function branin(x1: number, x2: number): number {
  return a * (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - t) * Math.cos(x1) + s;
}

/** No training loop and no reports: the returned number is the trial's value. */
export function objective(params: Params): number {
  return branin(Number(params['x1']), Number(params['x2']));
}
