import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StorageError } from '../../src/core/errors.js';
import { LATEST_VERSION, MIGRATIONS, migrate, schemaVersion } from '../../src/storage/migrations.js';
import { openStorage, SqliteStorage, type Storage } from '../../src/storage/index.js';
import type { ParamRow } from '../../src/storage/rows.js';
import { storageContract } from './contract.js';
import { newTrial, spec } from './helpers.js';
import { raw, tmpFiles } from './sqlite-helpers.js';

const { dir: tmp, file: tmpFile } = tmpFiles('tune-storage-');

storageContract('SQLite file', () => SqliteStorage.open(tmpFile()));
storageContract('SQLite :memory:', () => SqliteStorage.open(':memory:'));

describe('SqliteStorage on a file', () => {
  test('opening an empty file creates the schema and records its version; reopening changes nothing', async () => {
    const file = tmpFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, ''); // a zero-byte file is an empty database
    const s = SqliteStorage.open(file);
    assert.equal(s.diagnostics().schemaVersion, LATEST_VERSION);
    await s.close();
    const before = raw(file, (db) => db.prepare('SELECT name, sql FROM sqlite_master ORDER BY name').all());
    const again = SqliteStorage.open(file);
    assert.equal(again.diagnostics().schemaVersion, LATEST_VERSION);
    await again.close();
    assert.deepEqual(raw(file, (db) => db.prepare('SELECT name, sql FROM sqlite_master ORDER BY name').all()), before);
    assert.deepEqual(raw(file, (db) => db.prepare('SELECT * FROM schema_version').all()), [{ id: 1, version: LATEST_VERSION }]);
  });

  test('a database written by a newer tune is refused with a clear message and left as it was', () => {
    const file = tmpFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const future = [...MIGRATIONS, { version: LATEST_VERSION + 1, sql: 'CREATE TABLE future (x INTEGER)' }];
    raw(file, (db) => migrate(db, future));
    assert.throws(() => SqliteStorage.open(file), (e: unknown) => {
      assert.ok(e instanceof StorageError);
      assert.match(e.message, new RegExp(`schema version ${LATEST_VERSION + 1}`));
      assert.match(e.message, /newer tune/);
      return true;
    });
    assert.equal(raw(file, schemaVersion), LATEST_VERSION + 1);
  });

  test('a failing migration is rolled back whole, and migrations must be numbered 1, 2, 3…', () => {
    const file = tmpFile();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const broken = [...MIGRATIONS, { version: LATEST_VERSION + 1, sql: 'CREATE TABLE half (x); SELECT * FROM missing;' }];
    raw(file, (db) => {
      assert.throws(() => migrate(db, broken));
      assert.equal(schemaVersion(db), LATEST_VERSION);
      assert.deepEqual(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").all(), []);
      assert.throws(() => migrate(db, [{ version: 2, sql: '' }]), StorageError);
    });
  });

  test('creates missing parent folders, runs in WAL mode and passes integrity_check', async () => {
    const file = path.join(tmp, 'deep', 'er', 'results', 'tune.db');
    const s = SqliteStorage.open(file);
    const st = await s.openStudy(spec());
    await s.createTrial(st.id, newTrial());
    assert.deepEqual(s.diagnostics(), { schemaVersion: LATEST_VERSION, journalMode: 'wal', integrity: ['ok'] });
    await s.close();
    assert.equal(raw(file, (db) => db.pragma('journal_mode', { simple: true })), 'wal');
    assert.equal(raw(file, (db) => db.pragma('integrity_check', { simple: true })), 'ok');
    assert.deepEqual(raw(file, (db) => db.pragma('foreign_key_check')), []);
  });

  test('data survives closing and reopening the file', async () => {
    const file = tmpFile();
    const s = SqliteStorage.open(file);
    const st = await s.openStudy(spec());
    const t = await s.createTrial(st.id, newTrial({ params: { lr: 0.5, opt: 'sgd', bn: true } }));
    await s.claimTrial(t.id, 'w');
    await s.report(t.id, 1, { val_accuracy: NaN, loss: Infinity }, NaN);
    const done = await s.finishTrial(t.id, { state: 'pruned', epochs: 1 });
    const snapshot = async (x: Storage) => ({
      study: await x.getStudy('adam'), studies: await x.studies(), board: await x.leaderboard(st.id, 10), reports: await x.reports(t.id),
    });
    const before = await snapshot(s);
    await s.close();
    await assert.rejects(s.trial(t.id), StorageError); // closed

    const again = openStorage(file);
    assert.equal((await again.openStudy(spec())).id, st.id);
    assert.deepEqual(await again.trial(t.id), done);
    assert.ok(Number.isNaN(done.value));
    assert.deepEqual(await snapshot(again), before);
    await again.close();
  });

  test('NaN and ±Infinity are stored with an explicit kind; params keep their type in trial_params', async () => {
    const file = tmpFile();
    const s = SqliteStorage.open(file);
    const st = await s.openStudy(spec());
    const t = await s.createTrial(st.id, newTrial({ params: { n: 2.5, s: 'adam', b: false } }));
    await s.claimTrial(t.id, 'w');
    await s.report(t.id, 1, { a: NaN, b: Infinity, c: -Infinity, d: 1 }, NaN);
    await s.close();
    raw(file, (db) => {
      assert.deepEqual(db.prepare('SELECT metric, value, value_kind FROM reports ORDER BY metric').all(), [
        { metric: 'a', value: null, value_kind: 'nan' },
        { metric: 'b', value: Infinity, value_kind: 'inf' },
        { metric: 'c', value: -Infinity, value_kind: '-inf' },
        { metric: 'd', value: 1, value_kind: 'finite' },
      ]);
      assert.deepEqual(db.prepare('SELECT value, value_kind FROM trials').get(), { value: null, value_kind: 'nan' });
      const params = db.prepare<[], ParamRow>('SELECT * FROM trial_params ORDER BY name').all();
      assert.deepEqual(params, [
        { trial_id: t.id, name: 'b', value_type: 'boolean', value_num: null, value_text: 'false' },
        { trial_id: t.id, name: 'n', value_type: 'number', value_num: 2.5, value_text: null },
        { trial_id: t.id, name: 's', value_type: 'string', value_num: null, value_text: 'adam' },
      ]);
      assert.equal(db.prepare('SELECT params FROM trials').pluck().get(), '{"b":false,"n":2.5,"s":"adam"}');
      // the CHECK constraints refuse an inconsistent kind
      assert.throws(() => db.prepare("UPDATE trials SET value = 1, value_kind = 'nan'").run(), /CHECK/);
    });
  });

  test('two instances on one file, creating trials interleaved, get unique sequential numbers', async () => {
    const file = tmpFile();
    const a = SqliteStorage.open(file);
    const b = SqliteStorage.open(file);
    const st = await a.openStudy(spec());
    assert.equal((await b.openStudy(spec())).id, st.id);
    const numbers: number[] = [];
    for (let i = 0; i < 10; i++) {
      numbers.push((await a.createTrial(st.id, newTrial())).number, (await b.createTrial(st.id, newTrial())).number);
    }
    // and concurrently, without awaiting in between
    const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createTrial(st.id, newTrial())));
    numbers.push(...burst.map((t) => t.number));
    assert.deepEqual(numbers.sort((x, y) => x - y), Array.from({ length: 30 }, (_, i) => i));
    await a.close();
    await b.close();
  });

  test('three processes writing the same file at once get unique numbers and never SQLITE_BUSY', async () => {
    const file = tmpFile();
    const s = SqliteStorage.open(file);
    const st = await s.openStudy(spec());
    const fixture = fileURLToPath(new URL('./fixtures/create-trials.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const count = 150;
    const startAt = String(Date.now() + 1500);
    const run = promisify(execFile);
    await Promise.all([1, 2, 3].map(() =>
      run(process.execPath, ['--import', 'tsx', fixture, file, 'adam', String(count), startAt], { cwd: root })));
    const trials = await s.trials(st.id);
    assert.deepEqual(trials.map((t) => t.number), Array.from({ length: 3 * count }, (_, i) => i));
    assert.equal(new Set(trials.map((t) => t.params.pid)).size, 3);
    assert.ok(trials.every((t) => t.state === 'complete'));
    assert.deepEqual(s.diagnostics().integrity, ['ok']);
    await s.close();
  });
});
