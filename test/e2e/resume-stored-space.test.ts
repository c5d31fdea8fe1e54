import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { studySpec } from '../../src/engine/run-sweep.js';
import { loadSpace } from '../../src/space/index.js';
import { openStorage } from '../../src/storage/index.js';
import { runCli, tempDir } from '../helpers/cli.js';

test('tune resume refuses a stored space from another version with a clear message and exit 2, before any trial', async () => {
  const db = join(tempDir(), 'tune.db');
  const space = loadSpace(join(import.meta.dirname, '../../search-spaces/adam.json'), { checkFiles: false });
  const storage = openStorage(db);
  const study = await storage.openStudy(studySpec(space));
  const { strategy: _, ...rest } = JSON.parse(JSON.stringify(space)) as Record<string, unknown>;
  await storage.setStudyDefinition(study.id, { ...rest, strategy: { type: 'random', trials: 'many' } });
  await storage.close();
  const r = runCli(['resume', '--study', space.name, '--storage', db, '--workers', '1']);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, new RegExp(`study "${space.name}" has a stored space that this version of tune can't read: it was most likely stored by another version`));
  assert.match(r.stderr, /at strategy\.trials: /);
  const after = openStorage(db);
  assert.equal((await after.trials(study.id)).length, 0);
  await after.close();
});
