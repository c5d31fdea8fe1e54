import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStorage } from '../../src/storage/index.js';

test('createTrial with claimBy creates the trial running, owned by that worker, in one step', async () => {
  const storage = openStorage(':memory:');
  const study = await storage.openStudy({ name: 's', space: {}, direction: 'maximize', metric: 'm', strategy: 'random', seed: 1 });
  const t = await storage.createTrial(study.id, { params: { x: 1 }, budget: 2, seed: 5, key: '#0', claimBy: 'host:42' });
  assert.equal(t.state, 'running');
  assert.equal(t.worker, 'host:42');
  assert.ok(t.startedAt !== null && t.heartbeatAt !== null);
  assert.equal(await storage.claimTrial(t.id, 'host:43'), false, 'nobody else can claim it');
  await storage.report(t.id, 1, { m: 0.5 }, 0.5);
  assert.equal((await storage.finishTrial(t.id, { state: 'complete', epochs: 1, value: 0.5 })).state, 'complete');
  const plain = await storage.createTrial(study.id, { params: { x: 2 }, budget: 2, seed: 6 });
  assert.equal(plain.state, 'waiting');
  await storage.close();
});
