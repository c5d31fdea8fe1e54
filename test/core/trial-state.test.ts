import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  canMove, FINISHED_STATES, isFinishedState, OUTCOME_STATES, TRIAL_STATES, TRIAL_TRANSITIONS, type TrialState,
} from '../../src/core/trial-state.js';
import type { StudyId, TrialRecord } from '../../src/core/types.js';
import { openStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { newTrial, spec } from '../storage/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-trial-state-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh stored trial in `state`, reached through the storage API only. */
async function trialIn(s: Storage, study: StudyId, state: TrialState): Promise<TrialRecord> {
  const t = await s.createTrial(study, newTrial({ budget: 2 }));
  if (state === 'waiting') return t;
  assert.equal(await s.claimTrial(t.id, 'w'), true);
  if (state === 'running') return (await s.trial(t.id))!;
  await s.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
  // Paused after 1 of 2 epochs, so a promotion (a budget above the epochs trained) is possible from it.
  return s.finishTrial(t.id, { state, epochs: 1, value: 0.5 });
}

/** Every storage operation that moves a trial, each tried once; true when storage accepted it. */
const OPERATIONS: Readonly<Record<string, (s: Storage, t: TrialRecord) => Promise<boolean>>> = {
  claim: (s, t) => s.claimTrial(t.id, 'other'),
  requeue: async (s, t) => s.requeueTrial(t.id, { countAttempt: false }).then(() => true, () => false),
  promote: async (s, t) => s.promoteTrial(t.id, 4, 1).then(() => true, () => false),
  ...Object.fromEntries(
    OUTCOME_STATES.map((to) => [`finish ${to}`, async (s: Storage, t: TrialRecord) => s.finishTrial(t.id, { state: to, epochs: t.epochs }).then(() => true, () => false)]),
  ),
};

describe('trial states', () => {
  test('a state is finished exactly when no move leaves it', () => {
    for (const state of TRIAL_STATES) assert.equal(isFinishedState(state), TRIAL_TRANSITIONS[state].length === 0, state);
    assert.deepEqual([...FINISHED_STATES], TRIAL_STATES.filter(isFinishedState));
  });

  test('SQLite storage makes exactly the moves of TRIAL_TRANSITIONS, and a refused move changes nothing', async () => {
    const s = openStorage(join(dir, 'moves.db'));
    try {
      const study = await s.openStudy(spec());
      const made = new Set<string>();
      for (const from of TRIAL_STATES) {
        for (const [name, operation] of Object.entries(OPERATIONS)) {
          const t = await trialIn(s, study.id, from);
          assert.equal(t.state, from);
          const ok = await operation(s, t);
          const to = (await s.trial(t.id))!.state;
          if (!ok) {
            assert.equal(to, from, `${name} was refused from ${from} but moved the trial to ${to}`);
            continue;
          }
          assert.ok(canMove(from, to), `${name} moved a trial ${from} → ${to}, which TRIAL_TRANSITIONS does not allow`);
          made.add(`${from} → ${to}`);
        }
      }
      const allowed = TRIAL_STATES.flatMap((from) => TRIAL_TRANSITIONS[from].map((to) => `${from} → ${to}`));
      assert.deepEqual([...made].sort(), allowed.sort());
    } finally {
      await s.close();
    }
  });
});
