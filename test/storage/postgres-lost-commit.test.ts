/**
 * A COMMIT whose answer never arrives (issue 13 §4): the connection drops after the server committed but before the
 * tuner heard so. A proxy between the storage and the server forwards the COMMIT, lets the server commit, then cuts
 * both sockets. The storage reconnects, finds its write token, and returns the committed result instead of running
 * the write again: one trial, not two; one claim, not a refused second one.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { PostgresStorage } from '../../src/storage/index.js';
import { newTrial, spec } from './helpers.js';
import { PG_SKIP_REASON, PG_URL, testDatabase } from './postgres-helpers.js';

/** A TCP proxy to `host:port` that, while `armed`, swallows the answer to the next COMMIT and cuts the connection. */
async function cuttingProxy(host: string, port: number) {
  const state = { armed: false, cuts: 0 };
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    let cutting = false;
    client.on('data', (d: Buffer) => {
      // A simple-protocol Query message: 'Q', int32 length, the SQL text.
      if (state.armed && d[0] === 0x51 && d.toString('utf8', 5).startsWith('COMMIT')) {
        state.armed = false;
        cutting = true;
        upstream.write(d);
        // Give the server time to commit, then drop both sides without passing the answer on.
        void sleep(300).then(() => {
          state.cuts++;
          client.destroy();
          upstream.destroy();
        });
        return;
      }
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      if (!cutting) client.write(d);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as net.AddressInfo;
  return { state, port: address.port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

if (PG_URL === undefined) {
  test('PostgreSQL lost COMMIT answers', (t) => t.skip(PG_SKIP_REASON));
} else {
  const db = await testDatabase(PG_URL, 'tune_lost');

  test('a create and a claim whose COMMIT answer is lost are committed once, and their results come back', async () => {
    const direct = await db.freshSchema();
    const target = new URL(direct);
    const proxy = await cuttingProxy(target.hostname, Number(target.port || 5432));
    const viaProxy = new URL(direct);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const s = PostgresStorage.open(viaProxy.toString());
    try {
      const study = await s.openStudy(spec());
      proxy.state.armed = true;
      const created = await s.createTrial(study.id, newTrial());
      assert.equal(proxy.state.cuts, 1, 'the COMMIT answer was cut');
      assert.equal(created.number, 0);
      proxy.state.armed = true;
      const claimed = await s.acquireTrial(created.id, 'w', 60_000);
      assert.equal(proxy.state.cuts, 2);
      // Run again, the claim would have found the trial running and returned null.
      assert.deepEqual([claimed?.state, claimed?.claims], ['running', 1]);
      assert.ok(s.reconnections >= 2);
      const trials = await s.trials(study.id);
      assert.deepEqual(trials.map((t) => [t.number, t.state, t.claims]), [[0, 'running', 1]]);
    } finally {
      await s.close();
      await proxy.close();
    }
  });
}
