/**
 * A child-process script that runs wherever it is put, for tests that run a child as another user (root's tests run
 * the read-only checks as `nobody`). That user may not be able to read the checkout at all: a clone in a 0700 folder
 * such as /root hides its node_modules and sources, and `--import tsx` then fails with "Cannot find package 'tsx'".
 * So the script and the sources it imports are transpiled (TypeScript's own transpileModule, no type check) into a
 * folder of the caller's choosing, with the npm packages they import copied beside them, all world-readable.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

/** Needed to install a package, not to run it. */
const INSTALL_ONLY = new Set(['prebuild-install']);
/** Inside a native package (one with a binding.gyp): build inputs, which the built addon never reads (25 MB for better-sqlite3). */
const UNUSED = /(^|\/)(deps|src|test|obj|obj\.target|\.deps)(\/|$)|\.(a|gyp|gypi|mk|o|cc|h)$|test_extension\.node$/;

const IMPORTS = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/gm;

/**
 * Writes `entry` (a .ts file of the checkout) and every .ts file it imports, transitively, under `dir` as .js,
 * keeping their paths relative to the checkout, plus `dir/node_modules` with the packages they import. Returns the
 * entry's path there, to run with plain `node`.
 */
export function portableChild(entry: string, dir: string): string {
  const packages = new Set<string>();
  const pending = [path.resolve(entry)];
  const done = new Set<string>();
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (done.has(file)) continue;
    done.add(file);
    const out = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const target = path.join(dir, path.relative(ROOT, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out);
    for (const m of out.matchAll(IMPORTS)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('node:')) continue;
      if (spec.startsWith('.')) pending.push(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
      else packages.add(packageName(spec));
    }
  }
  const copied = new Set<string>();
  for (const name of packages) copyPackage(name, path.join(dir, 'node_modules'), copied, require);
  worldReadable(dir);
  return path.join(dir, path.relative(ROOT, path.resolve(entry))).replace(/\.ts$/, '.js');
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Copies an installed package (its runtime files) and, recursively, its dependencies, flat under `modules`. */
function copyPackage(name: string, modules: string, copied: Set<string>, from: NodeJS.Require): void {
  if (copied.has(name) || INSTALL_ONLY.has(name)) return;
  copied.add(name);
  const manifest = packageManifest(name, from);
  const source = path.dirname(manifest);
  const native = fs.existsSync(path.join(source, 'binding.gyp'));
  fs.cpSync(source, path.join(modules, name), {
    recursive: true,
    dereference: true,
    filter: (p) => !native || !UNUSED.test(path.relative(source, p).split(path.sep).join('/')),
  });
  const deps = Object.keys((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
  for (const dep of deps) copyPackage(dep, modules, copied, createRequire(manifest));
}

/**
 * The package.json of an installed package. `require.resolve('<name>/package.json')` fails for a package whose
 * `exports` leave it out (pg-connection-string), so the folders Node would search are looked through instead.
 */
function packageManifest(name: string, from: NodeJS.Require): string {
  for (const modules of from.resolve.paths(name) ?? []) {
    const manifest = path.join(modules, name, 'package.json');
    if (fs.existsSync(manifest)) return manifest;
  }
  throw new Error(`package ${name} is not installed`);
}

/** Folders 0755 and files 0644 (or 0755 if executable), from `dir` down, so any user can read and load them. */
function worldReadable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) worldReadable(p);
    else fs.chmodSync(p, fs.statSync(p).mode & 0o111 ? 0o755 : 0o644);
  }
}
