/**
 * Ask and tell are fenced by the claim (issue 13 §2): once another process took an asked trial over, or finished it,
 * the asker's report and tell are refused with LeaseLostError and the stored trial stays as the other left it.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { LeaseLostError } from '../../src/core/errors.js';
import { openStudy } from '../../src/index.js';
import { openStorage } from '../../src/storage/index.js';
import { tempDir, writeJson } from '../helpers/cli.js';

function space(dir: string): string {
  const file = join(dir, 'space.json');
  writeJson(file, {
    name: 'fenced',
    objective: { metric: 'error', direction: 'minimize' },
    task: { epochs: 2 },
    params: { x: { type: 'float', min: 0, max: 1 } },
    strategy: { type: 'random', trials: 3 },
    seed: 3,
  });
  return file;
}

test('a report or tell of a trial another process took over, or finished, is refused and changes nothing', async () => {
  const dir = tempDir();
  const db = join(dir, 'tune.db');
  const study = await openStudy(space(dir), { storage: db });
  const other = openStorage(db);
  try {
    const taken = await study.ask();
    // Another process requeues it (as interrupted) and asks it again.
    await other.requeueTrial(taken.id, { countAttempt: false });
    const theirs = await other.acquireTrial(taken.id, 'other-host:1');
    assert.equal(theirs?.claims, 2);
    await assert.rejects(study.report(taken, 1, 0.5), (e: unknown) => e instanceof LeaseLostError && new RegExp(`trial ${taken.id}: a report`).test(e.message));
    await assert.rejects(study.tell(taken, 0.5), (e: unknown) => e instanceof LeaseLostError && /other-host:1/.test(e.message));
    const stored = await other.trial(taken.id);
    assert.deepEqual([stored?.state, stored?.worker, stored?.epochs, stored?.value], ['running', 'other-host:1', 0, null]);
    assert.deepEqual(await other.reports(taken.id), []);

    // Finished by someone else: the tell is refused, and the stored result stands.
    const done = await study.ask();
    await other.finishTrial(done.id, { state: 'complete', epochs: 2, value: 0.25 });
    await assert.rejects(study.tell(done, 0.9), (e: unknown) => e instanceof LeaseLostError && /it no longer holds the trial, which is complete/.test(e.message));
    assert.equal((await other.trial(done.id))?.value, 0.25);

    // The asker's own trials still go through.
    const mine = await study.ask();
    assert.equal((await study.tell(mine, 0.1)).state, 'complete');
  } finally {
    await other.close();
    await study.close();
  }
});
