/** Every security rule of `tune dashboard`, against a real server on a real port, with real HTTP requests. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { seedStudy } from '../helpers/seed-study.js';
import { tempDir } from '../helpers/cli.js';
import { fingerprint } from '../storage/sqlite-helpers.js';
import { rawRequest, request, serve, type Served } from './helpers.js';

const dir = tempDir('tune-dash-sec-');
const file = path.join(dir, 'tune.db');
let served: Served;
let study = '';

before(async () => {
  const seeded = await seedStudy(file, { trials: 12, name: 'sec study' });
  study = seeded.study.name;
  await seeded.storage.close();
  served = await serve(file);
});
after(async () => {
  await served.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const studyUrl = () => `/study/${encodeURIComponent(study)}`;
const apiUrl = (what: string) => `/api/study/${encodeURIComponent(study)}/${what}`;
const everyRoute = () => ['/', studyUrl(), '/api/studies', apiUrl('report'), apiUrl('changes?since=0'), '/static/live.js'];

describe('tune dashboard: Host header (DNS rebinding)', () => {
  test('answers the bound address and, on loopback, localhost and 127.0.0.1 with the port', async () => {
    for (const host of [`127.0.0.1:${served.port}`, `localhost:${served.port}`, `LOCALHOST:${served.port}`, `[::1]:${served.port}`]) {
      assert.equal((await request(served.port, '/', { host })).status, 200, host);
    }
  });

  test('refuses any other Host, another port, or none, on every route', async () => {
    const refused = [
      'evil.example', `evil.example:${served.port}`, `rebind.attacker.test:${served.port}`, '127.0.0.1',
      `127.0.0.1:${served.port + 1}`, `localhost:${served.port}.evil.example`, `127.0.0.2:${served.port}`, `0.0.0.0:${served.port}`,
    ];
    for (const url of everyRoute()) {
      for (const host of refused) {
        const a = await request(served.port, url, { host });
        assert.equal(a.status, 403, `${url} with Host ${host}`);
        assert.doesNotMatch(a.body, /sec study|val_accuracy/, 'no data in the refusal');
      }
    }
    assert.match(await rawRequest(served.port, 'GET /api/studies HTTP/1.0\r\n\r\n'), /^HTTP\/1\.1 403 /);
  });
});

describe('tune dashboard: read-only', () => {
  test('every method but GET and HEAD gets 405 with Allow: GET, HEAD, and changes nothing', async () => {
    const before = fingerprint(file);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND']) {
      for (const url of everyRoute()) {
        const a = await request(served.port, url, { method, body: method === 'TRACE' ? undefined : '{"state":"failed"}', headers: { 'content-type': 'application/json' } });
        assert.equal(a.status, 405, `${method} ${url}`);
        assert.equal(a.headers.allow, 'GET, HEAD', `${method} ${url}`);
      }
    }
    assert.equal(fingerprint(file).sha256, before.sha256);
  });

  test('HEAD answers like GET without a body', async () => {
    const get = await request(served.port, apiUrl('report'));
    const head = await request(served.port, apiUrl('report'), { method: 'HEAD' });
    assert.deepEqual([head.status, head.body, head.headers['content-type']], [200, '', get.headers['content-type']]);
  });

  test('serving every view and the data leaves the database file as it was, and the storage is read-only', async () => {
    const before = fingerprint(file).sha256;
    for (const url of everyRoute()) assert.equal((await request(served.port, url)).status, 200, url);
    assert.equal(fingerprint(file).sha256, before);
    await assert.rejects(served.storage.createTrial(1, { params: {}, budget: 1, seed: 1 }), /read-only/);
  });
});

describe('tune dashboard: static paths stay inside the bundle', () => {
  test('the bundle is served; ../ in any spelling gives 404, never a file', async () => {
    assert.equal((await request(served.port, '/static/live.js')).status, 200);
    assert.equal((await request(served.port, '/static/dashboard.css')).status, 200);
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
    const attempts = [
      '/static/../package.json', '/static/%2e%2e/package.json', '/static/%2E%2E/package.json', '/static/..%2fpackage.json',
      '/static/..%2Fpackage.json', '/static/%2e%2e%2fpackage.json', '/static/..\\package.json', '/static/..%5cpackage.json',
      '/static/%252e%252e/package.json', '/static/./live.js', '/static/%2e/live.js', '/../../../../etc/passwd',
      '/static/../../../../etc/passwd', `/static/${encodeURIComponent(secret)}`, `/static/..%2f..%2f..%2f..${encodeURIComponent(secret)}`,
      '/static//etc/passwd', '/static/live.js%00.txt', '/static/%ZZ', `/study/..%2f..%2fetc%2fpasswd`, '/static/../api/studies',
      '/study/../api/studies', '/api/study/..%2f/report', '/static/', '/static/nope.js', '/src/dashboard/server.ts', '/package.json',
    ];
    for (const url of attempts) {
      const a = await request(served.port, url);
      assert.equal(a.status, 404, url);
      assert.doesNotMatch(a.body, /TOP-SECRET|root:|"name": "tune"|sec study/, url);
    }
  });

  test('an absolute-form request target is not followed', async () => {
    assert.match(await rawRequest(served.port, `GET http://evil.example/ HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nConnection: close\r\n\r\n`), /^HTTP\/1\.1 404 /);
  });
});

describe('tune dashboard: no CORS, no outside requests', () => {
  test('no response carries an Access-Control header, even to a cross-origin request or a preflight', async () => {
    const origin = { origin: 'https://evil.example', 'access-control-request-method': 'GET' };
    const answers = [
      ...(await Promise.all(everyRoute().map((u) => request(served.port, u, { headers: origin })))),
      await request(served.port, apiUrl('report'), { method: 'OPTIONS', headers: origin }),
      await request(served.port, '/nope', { headers: origin }),
      await request(served.port, '/', { host: 'evil.example', headers: origin }),
    ];
    for (const a of answers) {
      assert.deepEqual(Object.keys(a.headers).filter((h) => h.startsWith('access-control-')), []);
    }
  });

  test('every page is sent with a CSP that only lets it connect to its own origin', async () => {
    for (const url of ['/', studyUrl()]) {
      const csp = String((await request(served.port, url)).headers['content-security-policy'] ?? '');
      assert.match(csp, /default-src 'none'/, url);
      assert.match(csp, /connect-src 'self'/, url);
      assert.doesNotMatch(csp, /https?:|\*/, url);
    }
  });

  test('the study page and its live client name no outside URL', async () => {
    const page = (await request(served.port, studyUrl())).body;
    const urls = [...page.matchAll(/\b(?:src|href)\s*=\s*["']?(https?:[^"'\s>]+)/gi)].map((m) => m[1]);
    assert.deepEqual(urls, []);
    assert.match(page, /data-source="\/api\/study\/sec%20study\/report"/);
  });
});

describe('tune dashboard: the API', () => {
  test('the study list, the full data, and the changes since a seq', async () => {
    const list = JSON.parse((await request(served.port, '/api/studies')).body) as { study: { name: string } }[];
    assert.deepEqual(list.map((s) => s.study.name), [study]);
    const data = JSON.parse((await request(served.port, apiUrl('report'))).body) as { seq: number; trialCount: number };
    assert.equal(data.trialCount, 12);
    assert.ok(data.seq > 0);
    const all = JSON.parse((await request(served.port, apiUrl('changes?since=0'))).body) as { seq: number; trials: unknown[] };
    assert.deepEqual([all.seq, all.trials.length], [data.seq, 12]);
    const none = JSON.parse((await request(served.port, apiUrl(`changes?since=${data.seq}`))).body) as { seq: number; trials: unknown[] };
    assert.deepEqual([none.seq, none.trials.length], [data.seq, 0]);
    for (const bad of ['changes', 'changes?since=-1', 'changes?since=x', 'events?seq=1.5']) {
      assert.equal((await request(served.port, apiUrl(bad))).status, 400, bad);
    }
    assert.equal((await request(served.port, '/api/study/nope/report')).status, 404);
    assert.equal((await request(served.port, '/study/nope')).status, 404);
  });
});
