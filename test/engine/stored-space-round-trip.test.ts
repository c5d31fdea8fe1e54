import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openStudyFor, storedSpace } from '../../src/engine/index.js';
import { isFidelityStrategy, spaceSignature } from '../../src/space/index.js';
import { openStorage } from '../../src/storage/index.js';
import { createStrategy, defaultTrialCount } from '../../src/strategies/index.js';
import { PINNED, pinnedSpace } from '../space/pinned-strategies.js';

const dir = mkdtempSync(join(tmpdir(), 'tune-stored-space-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the space a study stores comes back as it was, with its rung budgets derived again, for every strategy', async () => {
  const db = join(dir, 'tune.db');
  for (const p of PINNED) {
    const space = { ...pinnedSpace(p.strategy), name: `pinned-${p.name}` };
    const storage = openStorage(db);
    try {
      await openStudyFor(storage, space);
      const stored = (await storage.getStudy(space.name))!;
      assert.equal(JSON.stringify(stored.definition), JSON.stringify({ ...(p.definition as object), name: space.name }), p.name);
    } finally {
      await storage.close();
    }
    const back = await storedSpace(db, space.name);
    assert.deepEqual(back, space, p.name);
    assert.equal(spaceSignature(back), spaceSignature(space), p.name);
    if (isFidelityStrategy(space.strategy)) {
      assert.ok(isFidelityStrategy(back.strategy));
      assert.deepEqual(back.strategy.budgets, space.strategy.budgets, p.name);
    }
    assert.equal(createStrategy(back).name, p.name);
    assert.equal(defaultTrialCount(back), p.trials, p.name);
  }
});
