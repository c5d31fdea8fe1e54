/** `tune importance` end to end: a small study stored through Storage, then the real CLI in a child process. */
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { createRng } from '../../src/core/rng.js';
import { openStudyFor } from '../../src/engine/index.js';
import { openStorage } from '../../src/storage/index.js';
import type { Storage } from '../../src/storage/types.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { space } from '../helpers/records.js';

interface Output {
  readonly pedAnova: Record<string, number>;
  readonly fanova: Record<string, number>;
  readonly trials: number;
}

/** `count` finished trials; the objective (maximised) depends on learningRate's exponent alone. */
async function storeStudy(storage: Storage, name: string, count: number, extra: 'failed' | 'none' = 'none'): Promise<void> {
  const s = space({
    name,
    params: {
      learningRate: { type: 'float', min: 1e-5, max: 1e-1, log: true },
      batchSize: { type: 'categorical', values: [16, 32, 64] },
      dropout: { type: 'float', min: 0, max: 0.5, log: false },
      units: { type: 'int', min: 16, max: 128, log: false, step: 16 },
    },
  });
  const study = await openStudyFor(storage, s);
  const rng = createRng(name);
  for (let i = 0; i < count; i++) {
    const lr = Math.exp(Math.log(1e-5) + rng() * Math.log(1e4));
    const params = { learningRate: lr, batchSize: [16, 32, 64][Math.floor(rng() * 3)]!, dropout: 0.5 * rng(), units: 16 * (1 + Math.floor(rng() * 8)) };
    const trial = await storage.createTrial(study.id, { params, budget: 1, seed: i });
    assert.ok(await storage.claimTrial(trial.id, 'test:1'));
    await storage.finishTrial(trial.id, { state: 'complete', value: 1 - (Math.log10(lr) + 3) ** 2 / 10, epochs: 1 });
  }
  if (extra === 'failed') {
    // Failed and unfinished trials don't count.
    const t = await storage.createTrial(study.id, { params: { learningRate: 1e-3, batchSize: 16, dropout: 0, units: 16 }, budget: 1, seed: 99 });
    await storage.finishTrial(t.id, { state: 'failed', epochs: 0, error: { kind: 'exception', message: 'boom' } });
    await storage.createTrial(study.id, { params: { learningRate: 1e-3, batchSize: 16, dropout: 0, units: 16 }, budget: 1, seed: 100 });
  }
}

describe('tune importance', () => {
  const dir = tempDir('tune-importance-');
  const db = join(dir, 'tune.db');

  before(async () => {
    const storage = openStorage(db);
    try {
      await storeStudy(storage, 'lr-matters', 200, 'failed');
      await storeStudy(storage, 'tiny', 4);
    } finally {
      await storage.close();
    }
  });

  test('--json: both estimates, fractions summing to 1, learningRate first with at least 0.8', () => {
    const r = runCli(['importance', '--study', 'lr-matters', '--storage', db, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Output;
    assert.equal(out.trials, 200, 'the failed and the waiting trial are left out');
    for (const scores of [out.pedAnova, out.fanova]) {
      assert.deepEqual(Object.keys(scores).sort(), ['batchSize', 'dropout', 'learningRate', 'units']);
      assert.ok(Math.abs(Object.values(scores).reduce((a, b) => a + b, 0) - 1) < 1e-9);
      assert.equal(Object.keys(scores)[0], 'learningRate');
      assert.ok(scores['learningRate']! >= 0.8, JSON.stringify(scores));
    }
  });

  test("without --seed the forest takes the study's seed (7 here), as tune report does, so both show the same figures", () => {
    const json = (extra: string[]) => {
      const r = runCli(['importance', '--study', 'lr-matters', '--storage', db, '--json', ...extra]);
      assert.equal(r.code, 0, r.stderr);
      return JSON.parse(r.stdout) as Output;
    };
    const byDefault = json([]);
    assert.deepEqual(byDefault, json(['--seed', '7']));
    assert.notDeepEqual(byDefault.fanova, json(['--seed', '0']).fanova, 'another seed grows another forest');
  });

  test('the default table lists every param with both estimates as percentages, and the file is not written', () => {
    const before = { size: statSync(db).size, mtime: statSync(db).mtimeMs, bytes: readFileSync(db) };
    const r = runCli(['importance', '--study', 'lr-matters', '--storage', db]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /over 200 finished trials/);
    assert.match(r.stdout, /param\s+PED-ANOVA %\s+fANOVA %/);
    const lines = r.stdout.split('\n');
    const rule = lines.findIndex((l) => /^-+\s+-+/.test(l));
    const first = lines[rule + 1]!.trim().split(/\s+/);
    assert.equal(first[0], 'learningRate');
    assert.ok(Number(first[1]) >= 80 && Number(first[2]) >= 80, lines[rule + 1]);
    for (const name of ['batchSize', 'dropout', 'units']) assert.match(r.stdout, new RegExp(`^${name}\\s+\\d+\\.\\d\\s+\\d+\\.\\d$`, 'm'));
    assert.ok(readFileSync(db).equals(before.bytes), 'opened read-only: the database is unchanged');
    assert.equal(statSync(db).mtimeMs, before.mtime);
  });

  test('an unknown study exits 2, naming it and listing the studies there are', () => {
    const r = runCli(['importance', '--study', 'nope', '--storage', db]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no study named "nope"/);
    assert.match(r.stderr, /known studies: .*lr-matters/);
    assert.match(r.stderr, /tiny/);
  });

  test('too few finished trials: exit 2 with the counts, never NaN', () => {
    const r = runCli(['importance', '--study', 'tiny', '--storage', db, '--json']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /study "tiny": parameter importance needs at least 10 .*there are 4/);
    assert.doesNotMatch(r.stdout + r.stderr, /NaN/);
  });

  test('a missing or non-tune database file exits 2, naming the file', () => {
    const missing = join(dir, 'missing.db');
    const r = runCli(['importance', '--study', 'x', '--storage', missing]);
    assert.equal(r.code, 2);
    assert.ok(r.stderr.includes(missing), r.stderr);
    const junk = join(dir, 'junk.db');
    writeFileSync(junk, 'not a database at all, just some text that is long enough to be a header'.repeat(10));
    const j = runCli(['importance', '--study', 'x', '--storage', junk]);
    assert.equal(j.code, 2, j.stderr);
    assert.ok(j.stderr.includes(junk), j.stderr);
  });
});
