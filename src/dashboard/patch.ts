/**
 * A small JSON diff: the ops that turn one version of a JSON value into the next, so a live page receives only what
 * changed. Arrays are compared index by index (columnar data grows at the end), objects key by key, and a long
 * string is spliced between its common prefix and suffix (the base64 learning curves change near the end).
 * `applyPatch` is written without closures or imports so its source can be sent to the browser as is
 * (`applyPatch.toString()`): the page and the tests run the same code.
 */
export type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json };
export type Path = readonly (string | number)[];

export type PatchOp =
  /** Set the value at path (an object key or an array index; the root is path []). */
  | readonly ['set', Path, Json]
  /** Delete an object key. */
  | readonly ['del', Path]
  /** Cut an array to `length` entries (growth is by 'set' at the new indices). */
  | readonly ['len', Path, number]
  /** Replace string[start, end) with `insert`. */
  | readonly ['splice', Path, number, number, string];

const isObject = (v: Json): v is { readonly [key: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
const SPLICE_MIN = 64;

/** The ops that turn `a` into `b` (both plain JSON: no undefined, no NaN). Empty when they are equal. */
export function diffJson(a: Json, b: Json, path: Path = [], ops: PatchOp[] = []): PatchOp[] {
  if (a === b) return ops;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (b.length < a.length) ops.push(['len', path, b.length]);
    for (let i = 0; i < b.length; i++) {
      // Most entries of a long column are unchanged: compare before building the entry's path.
      if (i >= a.length) ops.push(['set', [...path, i], b[i] as Json]);
      else if (a[i] !== b[i]) diffJson(a[i] as Json, b[i] as Json, [...path, i], ops);
    }
    return ops;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) ops.push(['del', [...path, key]]);
    for (const [key, v] of Object.entries(b)) {
      if (Object.hasOwn(a, key)) diffJson(a[key] as Json, v, [...path, key], ops);
      else ops.push(['set', [...path, key], v]);
    }
    return ops;
  }
  if (typeof a === 'string' && typeof b === 'string' && b.length >= SPLICE_MIN) {
    let start = 0;
    const shorter = Math.min(a.length, b.length);
    while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
    let end = 0;
    while (end < shorter - start && a.charCodeAt(a.length - 1 - end) === b.charCodeAt(b.length - 1 - end)) end++;
    ops.push(['splice', path, start, a.length - end, b.slice(start, b.length - end)]);
    return ops;
  }
  ops.push(['set', path, b]);
  return ops;
}

/**
 * Applies `ops` to `root` in place where it can (objects and arrays are mutated) and returns the new root.
 * Self-contained on purpose: it runs in the browser from its source text.
 */
export function applyPatch(root: unknown, ops: readonly PatchOp[]): unknown {
  type Box = Record<string | number, unknown>;
  for (const op of ops) {
    const path = op[1];
    if (path.length === 0) {
      if (op[0] === 'set') root = op[2];
      else if (op[0] === 'splice' && typeof root === 'string') root = root.slice(0, op[2]) + op[4] + root.slice(op[3]);
      else if (op[0] === 'len' && Array.isArray(root)) root.length = op[2];
      else throw new Error(`patch: can't ${op[0]} the root`);
      continue;
    }
    let parent = root as Box;
    for (let i = 0; i < path.length - 1; i++) {
      const next = parent[path[i] as string | number];
      if (typeof next !== 'object' || next === null) throw new Error(`patch: no ${path.slice(0, i + 1).join('.')}`);
      parent = next as Box;
    }
    const key = path[path.length - 1] as string | number;
    if (op[0] === 'set') parent[key] = op[2];
    else if (op[0] === 'del') delete parent[key];
    else if (op[0] === 'len') (parent[key] as unknown[]).length = op[2];
    else {
      const s = parent[key];
      if (typeof s !== 'string') throw new Error(`patch: ${path.join('.')} is not a string`);
      parent[key] = s.slice(0, op[2]) + op[4] + s.slice(op[3]);
    }
  }
  return root;
}
