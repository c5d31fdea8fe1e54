/**
 * The browser code for the page, as one classic script: the CommonJS modules that `tsconfig.client.json` compiles to
 * dist/report-client/, each wrapped in a function and linked by a 15-line require. No bundler dependency: tsc's
 * CommonJS output is plain and stable, and the page needs nothing more than relative requires between our own files.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TuneError } from '../core/errors.js';

const ENTRY = 'report/client/main.js';

/** dist/report-client next to the compiled dist/report/, or, running from src/ under tsx, the checkout's dist/. */
export function clientDir(): string {
  const candidates = [new URL('../report-client/', import.meta.url), new URL('../../dist/report-client/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((d) => existsSync(join(d, ENTRY)));
  if (found === undefined) {
    throw new TuneError(`the report page's browser code is not built (looked in ${candidates.join(' and ')}): run \`npm run build\``);
  }
  return found;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

let cached: { dir: string; code: string } | null = null;

export function clientBundle(dir: string = clientDir()): string {
  if (cached?.dir === dir) return cached.code;
  const defs = jsFiles(dir)
    .sort()
    .map((file) => {
      const key = relative(dir, file).split(sep).join('/');
      return `${JSON.stringify(key)}: function (require, exports, module) {\n${readFileSync(file, 'utf8')}\n}`;
    });
  const code = `(function () {
"use strict";
var defs = {\n${defs.join(',\n')}\n};
var cache = {};
function resolve(from, spec) {
  var parts = from.split('/'); parts.pop();
  spec.split('/').forEach(function (p) { if (p === '..') parts.pop(); else if (p !== '.') parts.push(p); });
  return parts.join('/');
}
function load(path) {
  if (cache[path]) return cache[path].exports;
  var def = defs[path];
  if (!def) throw new Error('tune report: no module ' + path);
  var module = { exports: {} };
  cache[path] = module;
  def(function (spec) { return load(resolve(path, spec)); }, module.exports, module);
  return module.exports;
}
load(${JSON.stringify(ENTRY)});
})();`;
  cached = { dir, code };
  return code;
}
