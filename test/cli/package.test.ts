/** The package as published: its name and command, and the typed API reference `npm run docs` builds. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../helpers/cli.js';

const root = resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; bin: Record<string, string>; scripts: Record<string, string> };

test('the package is tfjs-tune and its command is still tune', () => {
  assert.equal(pkg.name, 'tfjs-tune');
  assert.deepEqual(Object.keys(pkg.bin), ['tune']);
  assert.match(readFileSync(join(root, 'README.md'), 'utf8'), /import \{ runSweep \} from 'tfjs-tune'/);
});

test('npm run docs builds an API reference with every option of runSweep and openStudy documented', () => {
  assert.equal(pkg.scripts['docs'], 'typedoc');
  const out = tempDir('tune-docs-');
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  // typedoc names what lacks a comment; none of it may be an option of runSweep or openStudy, or the functions.
  const undocumented = (r.stdout + r.stderr).split('\n').filter((l) => /does not have any documentation/.test(l));
  assert.deepEqual(undocumented.filter((l) => /\b(SweepOptions|OpenStudyOptions|runSweep|openStudy)\b/.test(l)), []);
  const page = (p: string) => readFileSync(join(out, p), 'utf8');
  assert.match(page('functions/runSweep.html'), /Runs \(or continues\) the sweep/);
  assert.match(page('functions/openStudy.html'), /for ask and tell/);
  const options = page('interfaces/SweepOptions.html');
  for (const name of ['workers', 'backend', 'retries', 'maxFailures', 'trialTimeoutMs', 'onEvent', 'storage', 'deadline']) assert.match(options, new RegExp(`id="${name.toLowerCase()}"`), name);
  assert.match(options, /Worker threads training trials at once/);
  assert.match(page('interfaces/OpenStudyOptions.html'), /Overrides the space&#39;s seed|Overrides the space's seed/);
});
