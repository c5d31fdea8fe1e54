/**
 * Progress modes through the real CLI. The live table is driven in a real pseudo-terminal (util-linux `script`),
 * because it is only drawn when stdout is a TTY.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { cliArgs, runCliAsync, tempDir } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const SLOW = resolve(import.meta.dirname, '../fixtures/cli/slow-steps.json');
const hasScript = spawnSync('script', ['--version']).status === 0;

/** Runs the CLI with its stdout on a pseudo-terminal; returns everything the terminal got, and the wall time. */
function inTerminal(args: readonly string[], env: Record<string, string> = {}): { out: string; code: number | null; wallMs: number } {
  const t0 = Date.now();
  const r = spawnSync('script', ['-qfec', terminalCommand(args), '/dev/null'], { cwd: root, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...env } });
  return { out: r.stdout, code: r.status, wallMs: Date.now() - t0 };
}

const terminalCommand = (args: readonly string[]): string => [process.execPath, ...cliArgs(), ...args].map((a) => `'${a}'`).join(' ');

/** `inTerminal` without blocking, so that sweeps which mostly wait can run side by side. */
function inTerminalAsync(args: readonly string[], env: Record<string, string> = {}): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', terminalCommand(args), '/dev/null'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 240_000, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ out, code }));
  });
}

/** The drawings of the status table: each redraw moves the cursor up over the last one and clears below. */
function drawings(out: string): string[] {
  return out.split(/\x1b\[\d+A\r\x1b\[J/).map((d) => d.replace(/\r/g, '')).filter((d) => d.includes('== study'));
}

const etaSeconds = (drawing: string): number | null => {
  const m = /ETA (?:(\d+)m)?(\d+)s/.exec(drawing);
  return m === null ? null : Number(m[1] ?? 0) * 60 + Number(m[2]);
};

test('on a terminal the status table is redrawn in place, at most once a second, with an ETA that runs down', { skip: !hasScript && 'util-linux script is not installed' }, () => {
  const db = join(tempDir(), 'tune.db');
  const r = inTerminal(['--space', SLOW, '--storage', db, '--workers', '2']);
  assert.equal(r.code, 0, r.out);
  const draws = drawings(r.out);
  // 6 trials x 4 epochs of 400 ms on 2 workers: several seconds of sweep, so several redraws.
  assert.ok(draws.length >= 3, `only ${draws.length} drawing(s):\n${r.out}`);
  // Redraws come from a 1 s timer or an event at least 1 s after the last; a failed trial's line adds one.
  assert.ok(draws.length <= Math.ceil(r.wallMs / 1000) + 2, `${draws.length} drawings in ${r.wallMs} ms`);
  const first = draws.find((d) => /#\d+\s+\d\/4/.test(d));
  assert.ok(first !== undefined, 'a drawing lists running trials with epoch/budget');
  assert.match(first, /trial\s+epoch\s+rung\s+loss\s+elapsed\s+params/);
  const etas = draws.map(etaSeconds).filter((e): e is number => e !== null);
  assert.ok(etas.length >= 2, `ETAs: ${etas.join(', ')}`);
  assert.equal(etas.at(-1), 0, 'the last drawing has nothing left to train');
  assert.ok(etas[0]! > 0, `first ETA ${etas[0]}`);
  const last = draws.at(-1)!;
  // The failed trial (x = 0.95, at step 2) took its 3 untrained epochs out of the budget: 24 - 3.
  assert.match(last, /epochs 21\/21/);
  assert.match(last, /trials 6\/6: .*5 complete.*1 failed/);
  assert.match(last, /best #\d+ loss=0\.025 {2}wait=400 x=0\.1/);
  assert.match(r.out, /#2 failed \(exception\): .*x=0\.95 is too big/);
  assert.match(r.out, /study slow-steps: grid, 6 trials, loss \(minimize\) · backend wasm · 2 workers/, 'the start line prints once, above the table');
  assert.match(r.out, /\x1b\[32m5 complete\x1b\[0m/, 'states are coloured');
  // The final leaderboard follows the table.
  assert.match(r.out.slice(r.out.lastIndexOf('== study')), /rank\s+trial\s+state\s+loss/);
  assert.doesNotMatch(r.out, /#\d+ epoch \d+\/4/, 'no per-epoch lines on a terminal');
});

test('NO_COLOR turns colour off; --progress lines on a terminal prints today\'s lines', { skip: !hasScript && 'util-linux script is not installed' }, async () => {
  const dir = tempDir();
  // Two sweeps at once: they mostly wait on the module's 400 ms steps.
  const [plain, lines] = await Promise.all([
    inTerminalAsync(['--space', SLOW, '--storage', join(dir, 'a.db'), '--workers', '2'], { NO_COLOR: '1' }),
    inTerminalAsync(['--space', SLOW, '--storage', join(dir, 'b.db'), '--workers', '2', '--progress', 'lines']),
  ]);
  assert.equal(plain.code, 0, plain.out);
  assert.ok(drawings(plain.out).length >= 2);
  assert.doesNotMatch(plain.out, /\x1b\[\d+m/);
  assert.equal(lines.code, 0, lines.out);
  assert.doesNotMatch(lines.out, /\x1b\[/);
  assert.match(lines.out, /#0 epoch 1\/4 {2}loss=/);
});

test('--progress json streams NDJSON events and an end object; -q prints only errors and the final table', async () => {
  const dir = tempDir();
  // Three sweeps at once: they mostly wait on the module's 400 ms steps.
  const [json, quiet, piped] = await Promise.all([
    runCliAsync(['--space', SLOW, '--storage', join(dir, 'c.db'), '--workers', '2', '--progress', 'json']),
    runCliAsync(['--space', SLOW, '--storage', join(dir, 'd.db'), '--workers', '2', '-q']),
    // Piped (not a terminal) and without a flag: today's lines.
    runCliAsync(['--space', SLOW, '--storage', join(dir, 'e.db'), '--workers', '2']),
  ]);
  assert.equal(json.code, 0, json.stderr);
  const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; epoch?: number; trial?: { number: number; state: string }; leaderboard?: { trial: number; value: number }[] });
  assert.equal(events[0]!.type, 'start');
  assert.equal(events.filter((e) => e.type === 'trial-start').length, 6);
  assert.equal(events.filter((e) => e.type === 'epoch').length, 5 * 4 + 1);
  assert.equal(events.filter((e) => e.type === 'trial-end' && e.trial?.state === 'failed').length, 1);
  const end = events.at(-1)!;
  assert.equal(end.type, 'end');
  assert.deepEqual(end.leaderboard?.[0], { ...end.leaderboard?.[0], trial: 4, value: 0.025 });

  assert.equal(quiet.code, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stdout, /epoch \d|start {4}/);
  assert.match(quiet.stdout, /rank\s+trial\s+state\s+loss/);
  assert.match(quiet.stderr, /#2 failed \(exception\): .*x=0\.95/);
  assert.match(piped.stdout, /#0 start {4}wait=400 x=0\.\d/);
});
