/** Where a study's files go by default: beside a database file, and never in a folder named after a server URL. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultCheckpointRoot, defaultModelRoot } from '../../src/engine/index.js';

describe('study files', () => {
  it('go beside a database file', () => {
    assert.equal(defaultCheckpointRoot(join('runs', 'a.db')), join('runs', 'checkpoints'));
    assert.equal(defaultModelRoot(join('runs', 'a.db')), join('runs', 'models'));
  });

  it('go under results/ for :memory: and for a PostgreSQL URL, so no folder carries the URL or its password', () => {
    for (const url of ['postgres://tune:s3cret@db.lan:5432/tune', 'postgresql://tune@127.0.0.1/tune', ':memory:']) {
      assert.equal(defaultCheckpointRoot(url), join('results', 'checkpoints'), url);
      assert.equal(defaultModelRoot(url), join('results', 'models'), url);
    }
  });
});
