import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { InputIssue } from '../core/errors.js';
import { ruleNameOf, show, unknownKeyMessage } from './param-rules.js';
import { MODULE_EXTENSIONS } from './schema.js';
import { KNOWN_PARAMS, METRICS } from './types.js';

/**
 * The checks that depend on whether the task brings its own code (`task.module`). Without one, the data must be
 * given, every param must be a name the built-in trainer knows, and the metric one it reports; with one, the
 * module file must exist. They read the raw JSON, so they are reported together with zod's issues.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function moduleFileIssue(module: string, baseDir: string): InputIssue | null {
  if (!MODULE_EXTENSIONS.some((ext) => module.endsWith(ext))) return null; // the schema reports the extension
  const path = resolve(baseDir, module);
  try {
    if (statSync(path).isFile()) return null;
    return { path: ['task', 'module'], message: `expected a file, found a directory: ${path}` };
  } catch {
    return { path: ['task', 'module'], message: `file not found: ${path} (module paths are relative to the space file)` };
  }
}

/** `askTell`: the caller evaluates the trials (no task runs), so only a module file, if named, is checked. */
export function taskModuleIssues(raw: unknown, baseDir: string, checkFiles: boolean, askTell = false): InputIssue[] {
  if (!isRecord(raw)) return [];
  const task = isRecord(raw.task) ? raw.task : undefined;
  const module = typeof task?.module === 'string' && task.module !== '' ? task.module : undefined;
  const issues: InputIssue[] = [];
  if (module !== undefined || askTell) {
    const missing = checkFiles && module !== undefined ? moduleFileIssue(module, baseDir) : null;
    if (missing !== null) issues.push(missing);
    return issues; // any data, param names and metric may suit the module; the worker checks what it exports
  }
  if (task !== undefined && task.data === undefined) {
    issues.push({ path: ['task', 'data'], message: 'required: expected {"builtin": "mnist"} or {"csv": "<file>"} (or a task.module that loads its own data)' });
  }
  if (isRecord(raw.params)) {
    for (const name of Object.keys(raw.params).filter((n) => ruleNameOf(n) === undefined)) {
      issues.push({ path: ['params', name], message: `${unknownKeyMessage(name, KNOWN_PARAMS, 'param')}; other names need a task.module that reads them` });
    }
  }
  const metric = isRecord(raw.objective) ? raw.objective.metric : undefined;
  if (typeof metric === 'string' && metric !== '' && !(METRICS as readonly string[]).includes(metric)) {
    const expected = METRICS.map((m) => JSON.stringify(m)).join(' | ');
    issues.push({ path: ['objective', 'metric'], message: `expected ${expected}, got ${show(metric)} (other names need a task.module whose objective() reports them)` });
  }
  return issues;
}
