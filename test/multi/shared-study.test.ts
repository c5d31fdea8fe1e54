/**
 * Many tuner processes, one study (issue 13 §2, §3, §7): real `tune` processes started together on one storage.
 * Grid: each point exactly once. ASHA: no trial promoted twice, every trial finished, reports without gaps, nothing
 * left paused or waiting. Crash: kill -9 of one process mid-trial; another runs the trial again within 2× the lease,
 * from its checkpoint. Zombie: a process stopped past its lease has its late writes refused.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TrialRecord } from '../../src/core/types.js';
import { paramsKey } from '../../src/space/grid.js';
import { spawnCli, tempDir } from '../helpers/cli.js';
import { parseRuns, storageTargets, together, writeLoggingModule, writeSpace, type StorageTarget } from './helpers.js';

const LEASE_S = 2;

async function stored(target: StorageTarget, arg: string, name: string) {
  const s = await target.open(arg);
  try {
    const study = await s.getStudy(name);
    assert.ok(study, `study ${name} stored`);
    const trials = await s.trials(study.id);
    const reports = new Map(await Promise.all(trials.map(async (t) => [t.id, await s.reports(t.id)] as const)));
    return { trials, reports };
  } finally {
    await s.close();
  }
}

/** Every trial's reports are epochs 1..epochs, each once. */
function assertNoGaps(trials: readonly TrialRecord[], reports: ReadonlyMap<number, readonly { epoch: number }[]>): void {
  for (const t of trials) {
    const epochs = (reports.get(t.id) ?? []).map((r) => r.epoch);
    assert.deepEqual(epochs, Array.from({ length: t.epochs }, (_, i) => i + 1), `trial #${t.number} reports every epoch once`);
  }
}

/** Polls `check` every 25 ms until it returns a value; rejects after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

for (const target of storageTargets(tempDir('tune-multi-'))) {
  describe(`several tune processes on one ${target.name} study`, { skip: target.skip ?? false }, () => {
    test('grid: 4 processes × 2 workers run each point exactly once, and all exit 0', async () => {
      const dir = tempDir('tune-multi-grid-');
      writeLoggingModule(dir);
      // 60 ms epochs: 16 trials take one tuner about 1 s, longer than the others may take to start on a loaded machine.
      const space = writeSpace(dir, 'grid4', {
        task: { module: './logged.mjs', epochs: 2 },
        params: { x: { type: 'categorical', values: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8] }, y: { type: 'categorical', values: ['a', 'b'] }, wait: 60 },
        strategy: { type: 'grid' },
      });
      const db = await target.fresh('grid');
      try {
        const runs = await together(4, () => ['--space', space, '--storage', db, '--workers', '2', '--progress', 'none']);
        for (const r of runs) assert.equal(r.code, 0, r.output);
        const { trials, reports } = await stored(target, db, 'grid4');
        assert.equal(trials.length, 16);
        assert.equal(new Set(trials.map((t) => paramsKey(t.params))).size, 16, 'each grid point once');
        assert.deepEqual(trials.map((t) => t.number), Array.from({ length: 16 }, (_, i) => i));
        assert.ok(trials.every((t) => t.state === 'complete'), trials.map((t) => t.state).join());
        const log = parseRuns(readFileSync(join(dir, 'runs.log'), 'utf8'));
        assert.equal(log.length, 16, 'each trial ran once');
        assert.ok(new Set(log.map((l) => l.pid)).size >= 2, 'the work was shared');
        assertNoGaps(trials, reports);
      } finally {
        await target.drop(db);
      }
    });

    test('ASHA across 3 processes: no trial promoted twice, every trial finished, no gaps, nothing left paused', async () => {
      const dir = tempDir('tune-multi-asha-');
      writeLoggingModule(dir);
      const space = writeSpace(dir, 'asha3', {
        params: { x: { type: 'float', min: 0.1, max: 1 }, wait: 10 },
        strategy: { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 30 },
      });
      const db = await target.fresh('asha');
      try {
        const runs = await together(3, () => ['--space', space, '--storage', db, '--workers', '2', '--progress', 'none']);
        for (const r of runs) assert.equal(r.code, 0, r.output);
        const { trials, reports } = await stored(target, db, 'asha3');
        assert.equal(trials.length, 30);
        const left = trials.filter((t) => t.state !== 'complete' && t.state !== 'pruned');
        assert.deepEqual(left.map((t) => `#${t.number} ${t.state}`), [], 'the last tuner leaves no trial paused, waiting or running');
        assert.ok(trials.some((t) => t.state === 'complete' && t.epochs === 9), 'someone reached the top rung');
        const log = parseRuns(readFileSync(join(dir, 'runs.log'), 'utf8'));
        const runKeys = log.map((l) => `${l.trialId}@${l.startStep}`);
        assert.equal(new Set(runKeys).size, runKeys.length, `no trial promoted (or run) twice from the same step: ${runKeys.join(' ')}`);
        for (const l of log.filter((x) => x.startStep > 0)) assert.ok([3, 9].includes(l.budget), `a promotion goes to the next rung: ${JSON.stringify(l)}`);
        assertNoGaps(trials, reports);
      } finally {
        await target.drop(db);
      }
    });

    test(`kill -9 of one process mid-trial: another runs the trial again within 2× the lease (${LEASE_S} s), from its checkpoint`, async () => {
      const dir = tempDir('tune-multi-crash-');
      writeLoggingModule(dir);
      const space = writeSpace(dir, 'crash', {
        params: { x: { type: 'float', min: 0.1, max: 1 }, wait: 150 },
        strategy: { type: 'asha', eta: 3, minEpochs: 1, maxEpochs: 9, trials: 9 },
      });
      const db = await target.fresh('crash');
      const args = ['--space', space, '--storage', db, '--workers', '1', '--lease', `${LEASE_S}s`, '--progress', 'none'];
      try {
        const victim = spawnCli(args);
        const survivor = spawnCli(args);
        const log = join(dir, 'runs.log');
        // The victim's first promoted run (it resumes from a checkpoint), a step into it.
        const resumed = await until('a promoted run in the victim', async () => {
          const lines = existsSync(log) ? parseRuns(readFileSync(log, 'utf8')) : [];
          return lines.find((l) => l.pid === victim.child.pid && l.startStep > 0);
        });
        const s = await target.open(db);
        try {
          const killedAt = await until('the promoted run to report', async () => {
            const t = await s.trial(resumed.trialId);
            return t !== null && t.epochs > resumed.startStep ? Date.now() : undefined;
          });
          victim.child.kill('SIGKILL');
          await victim.exit;
          const again = await until('the trial to run again', async () => {
            const t = await s.trial(resumed.trialId);
            return t !== null && t.state === 'running' && t.worker !== null && !t.worker.endsWith(`:${victim.child.pid}`) ? Date.now() : undefined;
          });
          assert.ok(again - killedAt <= 2 * LEASE_S * 1000, `claimed again after ${again - killedAt} ms`);
        } finally {
          await s.close();
        }
        assert.equal(await survivor.exit, 0, survivor.output());
        const runs = parseRuns(readFileSync(log, 'utf8')).filter((l) => l.trialId === resumed.trialId);
        const rerun = runs.find((l) => l.pid === survivor.child.pid && l.budget === resumed.budget);
        assert.ok(rerun, `the survivor ran trial ${resumed.trialId} again: ${JSON.stringify(runs)}`);
        assert.equal(rerun.startStep, resumed.startStep, 'from the checkpoint the victim resumed from');
        const { trials, reports } = await stored(target, db, 'crash');
        assert.ok(trials.every((t) => t.state === 'complete' || t.state === 'pruned'), trials.map((t) => t.state).join());
        assertNoGaps(trials, reports);
      } finally {
        await target.drop(db);
      }
    });

    test(`zombie: a process stopped past its lease (SIGSTOP, SIGCONT) has its late writes refused`, async () => {
      const dir = tempDir('tune-multi-zombie-');
      writeLoggingModule(dir);
      const space = writeSpace(dir, 'zombie', {
        task: { module: './logged.mjs', epochs: 6 },
        params: { x: { type: 'categorical', values: [0.2, 0.4, 0.6] }, wait: 200 },
        strategy: { type: 'grid' },
      });
      const db = await target.fresh('zombie');
      const args = ['--space', space, '--storage', db, '--workers', '1', '--lease', `${LEASE_S}s`, '--progress', 'lines'];
      try {
        const zombie = spawnCli(args);
        const log = join(dir, 'runs.log');
        const first = await until('the zombie to start a trial', async () => {
          const lines = existsSync(log) ? parseRuns(readFileSync(log, 'utf8')) : [];
          return lines.find((l) => l.pid === zombie.child.pid);
        });
        zombie.child.kill('SIGSTOP');
        const other = spawnCli(args);
        const s = await target.open(db);
        try {
          await until('the other tuner to take the trial over', async () => {
            const t = await s.trial(first.trialId);
            return t !== null && t.state === 'running' && t.worker?.endsWith(`:${other.child.pid}`) ? true : undefined;
          });
        } finally {
          await s.close();
        }
        zombie.child.kill('SIGCONT');
        const [zombieCode, otherCode] = [await zombie.exit, await other.exit];
        assert.equal(otherCode, 0, other.output());
        assert.equal(zombieCode, 0, zombie.output());
        assert.match(zombie.output(), /lost its 2 s lease/, 'the zombie was told its writes were refused');
        const { trials, reports } = await stored(target, db, 'zombie');
        const t = trials.find((x) => x.id === first.trialId)!;
        assert.equal(t.state, 'complete');
        assert.ok(t.worker?.endsWith(`:${other.child.pid}`), `the new run's result stands: ${t.worker}`);
        assert.equal(t.value, Number(t.params.x) / 6);
        assert.ok(trials.every((x) => x.state === 'complete'), trials.map((x) => x.state).join());
        assertNoGaps(trials, reports);
      } finally {
        await target.drop(db);
      }
    });
  });
}
