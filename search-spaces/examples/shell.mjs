/**
 * An objective that runs another program and reads its result from the output: here `node -e` computing the
 * Rosenbrock function (minimum 0 at x = y = 1). Put your own command in its place: a training script in another
 * language, a simulator, a benchmark. Anything that prints a number can be tuned.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Stands in for your program: it takes the params as arguments and prints `loss=<number>`. */
const PROGRAM = `
  const [x, y] = process.argv.slice(1).map(Number);
  console.log('loss=' + ((1 - x) ** 2 + 100 * (y - x * x) ** 2));
`;

/** @param {Readonly<Record<string, number | string | boolean>>} params */
export async function objective(params) {
  // '--' ends node's own options, so a negative value isn't taken for one.
  const { stdout } = await run(process.execPath, ['-e', PROGRAM, '--', String(params.x), String(params.y)], { timeout: 60_000 });
  const match = /loss=(\S+)/.exec(stdout);
  if (match === null) throw new Error(`no "loss=<number>" in the program's output: ${JSON.stringify(stdout.slice(0, 200))}`);
  return Number(match[1]);
}
