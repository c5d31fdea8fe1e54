/** `tune dashboard` as a user runs it: the URL it prints, its warnings, bad input (exit 2) and a clean Ctrl-C. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, spawnCli, tempDir, waitFor } from '../helpers/cli.js';
import { seedStudy } from '../helpers/seed-study.js';
import { request } from './helpers.js';

const dir = tempDir('tune-dash-cli-');
const file = path.join(dir, 'tune.db');

before(async () => {
  const { storage } = await seedStudy(file, { trials: 3, name: 'cli-study' });
  await storage.close();
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const urlIn = (out: string): URL | null => {
  const m = /at (http:\/\/\S+)/.exec(out);
  return m ? new URL(m[1]!) : null;
};

describe('tune dashboard (CLI)', () => {
  test('binds 127.0.0.1 by default, prints its URL, serves, and stops cleanly on Ctrl-C', async () => {
    const cli = spawnCli(['dashboard', '--storage', file, '--port', '0']);
    await waitFor(cli.output, (o) => urlIn(o) !== null, 60_000);
    const url = urlIn(cli.output())!;
    assert.equal(url.hostname, '127.0.0.1');
    assert.match(cli.output(), /read-only/);
    assert.doesNotMatch(cli.output(), /warning/);
    const port = Number(url.port);
    assert.equal((await request(port, '/api/studies')).status, 200);
    cli.child.kill('SIGINT');
    assert.equal(await cli.exit, 0);
    assert.match(cli.output(), /stopped/);
    await assert.rejects(request(port, '/'), /ECONNREFUSED/);
  });

  test('--host other than loopback prints a warning, and still checks the Host header', async () => {
    const cli = spawnCli(['dashboard', '--storage', file, '--port', '0', '--host', '0.0.0.0']);
    try {
      await waitFor(cli.output, (o) => urlIn(o) !== null, 60_000);
      assert.match(cli.output(), /warning: listening on 0\.0\.0\.0, not loopback: anyone who can reach this machine/);
      const port = Number(urlIn(cli.output())!.port);
      assert.equal((await request(port, '/')).status, 200);
      assert.equal((await request(port, '/', { host: `evil.example:${port}` })).status, 403);
    } finally {
      cli.child.kill('SIGINT');
      assert.equal(await cli.exit, 0);
    }
  });

  test('a port in use exits 2 naming the port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = runCli(['dashboard', '--storage', file, '--port', String(port)], 60_000);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, new RegExp(`port ${port} is in use`));
    } finally {
      blocker.close();
    }
  });

  test('a missing file, a non-tune file and a bad --port exit 2 naming what is wrong; nothing is created', () => {
    const missing = path.join(dir, 'nope', 'missing.db');
    let r = runCli(['dashboard', '--storage', missing, '--port', '0'], 60_000);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.equal(fs.existsSync(path.dirname(missing)), false);

    const text = path.join(dir, 'notes.db');
    fs.writeFileSync(text, 'not a database\n'.repeat(100));
    r = runCli(['dashboard', '--storage', text, '--port', '0'], 60_000);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(text), r.stderr);
    assert.match(r.stderr, /not a readable tune database/);

    r = runCli(['dashboard', '--storage', file, '--port', '70000']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--port: expected a whole number from 0 to 65535, got 70000/);
  });

  test('--help describes the options and the security defaults', () => {
    const r = runCli(['dashboard', '--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--storage', '--port', '--host']) assert.ok(r.stdout.includes(flag), flag);
    assert.match(r.stdout, /read-only/);
    assert.match(r.stdout, /no login/);
  });
});
