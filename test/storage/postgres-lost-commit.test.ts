/**
 * A write whose answer never arrives (issue 13 §4). create, claim and finish are each one autocommitted statement that
 * records a write token; a proxy between the storage and the server loses that statement's answer in three ways:
 * - after: it forwards the statement, lets the server commit, then cuts both sockets. The storage reconnects, finds
 *   its write token, and returns the committed result instead of running the write again: one trial, not two; one
 *   claim, not a refused second one; a finish-and-read's finish, without the changes it read.
 * - before: it cuts both sockets without forwarding it. Nothing committed, so the storage runs the write again.
 * - late: it cuts the storage's socket, but keeps the server's open and forwards the statement to it only after the
 *   storage has reconnected and run the write again (a half-open connection whose transaction is still on its way).
 *   The token check claimed the token first, so the late statement fails and the write is stored once.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { PostgresStorage } from '../../src/storage/index.js';
import { newTrial, spec } from './helpers.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from './postgres-helpers.js';

type CutMode = 'after' | 'before' | 'late';

/**
 * A TCP proxy to `host:port` that, while armed, loses the answer to the next message naming `armed.pattern` (a
 * prepared statement's name is in its Parse and its Bind messages) as `armed.mode` says.
 */
async function cuttingProxy(host: string, port: number) {
  const state: { armed: { pattern: string; mode: CutMode } | null; cuts: number; lateAnswered: boolean } = {
    armed: null, cuts: 0, lateAnswered: false,
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    let cutting = false;
    let late = false;
    client.on('data', (d: Buffer) => {
      const armed = state.armed;
      if (armed && d.includes(armed.pattern)) {
        state.armed = null;
        cutting = true;
        state.cuts++;
        if (armed.mode === 'after') {
          upstream.write(d);
          // Give the server time to commit, then drop both sides without passing the answer on.
          void sleep(300).then(() => {
            client.destroy();
            upstream.destroy();
          });
        } else if (armed.mode === 'before') {
          client.destroy();
          upstream.destroy();
        } else {
          late = true;
          client.destroy();
          // The storage reconnects within ~100 ms and writes again; the old statement arrives well after.
          void sleep(1500).then(() => upstream.write(d));
        }
        return;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!cutting) client.write(d);
      else if (late) {
        // The late statement's answer (an error: its token was taken): the server is done with it.
        state.lateAnswered = true;
        upstream.destroy();
      }
    });
    client.on('error', () => {
      if (!late) upstream.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => {
      if (!late) upstream.destroy();
    });
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { state, port: address.port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (PG_URL === undefined) {
  test('PostgreSQL lost write answers', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_lost');

  async function viaProxy() {
    const direct = await db.freshSchema();
    const target = new URL(direct);
    const proxy = await cuttingProxy(target.hostname, Number(target.port || 5432));
    const url = new URL(direct);
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    return { proxy, s: PostgresStorage.open(url.toString()) };
  }

  test('a create, a claim and a finish whose answer is lost after the server committed are committed once, and their results come back', async () => {
    const { proxy, s } = await viaProxy();
    try {
      const study = await s.openStudy(spec());
      proxy.state.armed = { pattern: 'tune_createTrial', mode: 'after' };
      const created = await s.createTrial(study.id, newTrial());
      assert.equal(proxy.state.cuts, 1, 'the create answer was cut');
      assert.equal(created.number, 0);
      proxy.state.armed = { pattern: 'tune_claimTrial', mode: 'after' };
      const claimed = await s.acquireTrial(created.id, 'w', 60_000);
      assert.equal(proxy.state.cuts, 2);
      // Run again, the claim would have found the trial running and returned null.
      assert.deepEqual([claimed?.state, claimed?.claims], ['running', 1]);
      proxy.state.armed = { pattern: 'tune_finishTrial', mode: 'after' };
      const finished = await s.finishTrial(created.id, { state: 'complete', epochs: 1, value: 0.5 }, { worker: 'w', claim: 1 });
      assert.equal(proxy.state.cuts, 3);
      // Run again, the finish would have been refused: the trial is already complete.
      assert.deepEqual([finished.state, finished.value], ['complete', 0.5]);
      // A finish that reads the changes with it: committed once; the changes are for the caller to read again.
      const second = await s.createTrial(study.id, newTrial({ claimBy: 'w', leaseMs: 60_000 }));
      proxy.state.armed = { pattern: 'tune_finishAndRead', mode: 'after' };
      const read = await s.finishAndRead(second.id, { state: 'complete', epochs: 1, value: 0.25 }, { worker: 'w', claim: 1 }, 0);
      assert.equal(proxy.state.cuts, 4);
      assert.deepEqual([read.trial.state, read.trial.value, read.changes], ['complete', 0.25, null]);
      assert.ok(s.reconnections >= 4);
      const trials = await s.trials(study.id);
      assert.deepEqual(trials.map((t) => [t.number, t.state, t.claims]), [[0, 'complete', 1], [1, 'complete', 1]]);
    } finally {
      await s.close();
      await proxy.close();
    }
  });

  test('a create whose statement was lost before the server saw it runs again, once', async () => {
    const { proxy, s } = await viaProxy();
    try {
      const study = await s.openStudy(spec());
      await s.createTrial(study.id, newTrial({ key: 'first' }));
      proxy.state.armed = { pattern: 'tune_createTrial', mode: 'before' };
      const created = await s.createTrial(study.id, newTrial({ key: 'second', claimBy: 'w', leaseMs: 60_000 }));
      assert.equal(proxy.state.cuts, 1, 'the create was cut');
      assert.deepEqual([created.number, created.state, created.claims], [1, 'running', 1]);
      assert.ok(s.reconnections >= 1);
      const trials = await s.trials(study.id);
      assert.deepEqual(trials.map((t) => [t.number, t.state]), [[0, 'waiting'], [1, 'running']]);
    } finally {
      await s.close();
      await proxy.close();
    }
  });

  test('a create that reaches the server only after the storage wrote it again is stored once', async () => {
    const { proxy, s } = await viaProxy();
    try {
      const study = await s.openStudy(spec());
      proxy.state.armed = { pattern: 'tune_createTrial', mode: 'late' };
      const created = await s.createTrial(study.id, newTrial());
      assert.equal(proxy.state.cuts, 1, 'the create was held back');
      assert.equal(created.number, 0);
      for (const deadline = Date.now() + 30_000; !proxy.state.lateAnswered; await sleep(50)) {
        assert.ok(Date.now() < deadline, 'the late create was answered');
      }
      const trials = await s.trials(study.id);
      assert.deepEqual(trials.map((t) => t.number), [0]);
    } finally {
      await s.close();
      await proxy.close();
    }
  });
}
