/**
 * `tune dashboard --storage postgres://…`: the study list and the live event stream work over PostgreSQL, where
 * there is no file to watch, so the poll (changesSince) finds a sweep's writes and sends them as a patch.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { seedStudy } from '../helpers/seed-study.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from '../storage/postgres-helpers.js';
import { request, serve } from './helpers.js';

if (PG_URL === undefined) {
  test('the dashboard on PostgreSQL', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_dash');
  const password = decodeURIComponent(new URL(PG_URL).password);

  test('the dashboard serves a PostgreSQL study and streams a new trial as a patch', async () => {
    const url = await db.freshSchema();
    const seeded = await seedStudy(url, { name: 'pg-live', trials: 4 });
    const writer = seeded.storage;
    const served = await serve(url);
    try {
      const list = await request(served.port, '/');
      assert.equal(list.status, 200);
      assert.match(list.body, /href="\/study\/pg-live"/);
      if (password !== '') assert.ok(!list.body.includes(password));
      const { seq } = JSON.parse((await request(served.port, '/api/study/pg-live/changes?since=0')).body) as { seq: number };

      let stream = '';
      const req = http.get({ host: '127.0.0.1', port: served.port, path: `/api/study/pg-live/events?seq=${seq}`, agent: false }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (d: string) => (stream += d));
      });
      req.on('error', () => undefined);
      const until = (pred: () => boolean, ms: number) => new Promise<void>((resolve, reject) => {
        const end = Date.now() + ms;
        const tick = () => (pred() ? resolve() : Date.now() > end ? reject(new Error(`timed out; stream: ${stream}`)) : setTimeout(tick, 20));
        tick();
      });
      await until(() => stream.includes('retry:'), 20_000);
      const t = await writer.createTrial(seeded.study.id, { params: { learningRate: 0.01, units: 64, dropout: 0.2, optimizer: 'adam' }, budget: 5, seed: 9, claimBy: 'other-host:1' });
      await writer.report(t.id, 1, { val_accuracy: 0.5 }, 0.5);
      await until(() => /event: patch/.test(stream), 30_000);
      assert.doesNotMatch(stream, /event: reload/);
      req.destroy();
    } finally {
      await served.close();
      await writer.close();
    }
  });
}
