import { z } from 'zod';
import type { InputIssue } from '../core/errors.js';
import { show, unknownKeyMessage } from './param-rules.js';
import { paramsSchema } from './schema.js';

/**
 * Turns zod issues into InputIssues whose messages say what was expected and what was found.
 * zod's defaults ("Invalid input") don't name the expectation well enough for a config file.
 */

type RawIssue = z.core.$ZodRawIssue;
type Issue = z.core.$ZodIssue;

function isIntSchema(schema: unknown): boolean {
  return schema instanceof z.ZodNumber && schema.format !== null && schema.format.includes('int');
}

const NOUNS: Readonly<Record<string, string>> = {
  int: 'an integer', number: 'a number', string: 'a string', boolean: 'a boolean (true or false)', object: 'an object', array: 'an array',
};

function got(input: unknown): string {
  return input === undefined ? 'nothing (the field is missing)' : show(input);
}

function bound(iss: { origin: string; inclusive?: boolean | undefined }, isInt: boolean, small: boolean, value: number | bigint): string {
  const op = small ? (iss.inclusive ? '>=' : '>') : iss.inclusive ? '<=' : '<';
  if (iss.origin === 'array') return `expected ${small ? 'at least' : 'at most'} ${value} item${value === 1 ? '' : 's'}`;
  if (iss.origin === 'string') return small && value === 1 ? 'expected a non-empty string' : `expected a string of length ${op} ${value}`;
  return `expected ${isInt ? 'an integer' : 'a number'} ${op} ${value}`;
}

/** zod error map for the whole parse: it sees the originating schema, which the final issue no longer carries. */
export function spaceErrorMap(iss: RawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type': {
      const isInt = iss.expected === 'number' && (isIntSchema(iss.inst) || isIntSchema(iss.schema));
      const noun = NOUNS[isInt ? 'int' : iss.expected] ?? String(iss.expected);
      return iss.input === undefined ? `required: expected ${noun}` : `expected ${noun}, got ${got(iss.input)}`;
    }
    case 'too_small':
      return `${bound(iss, isIntSchema(iss.schema), true, iss.minimum)}, got ${got(iss.input)}`;
    case 'too_big':
      return `${bound(iss, isIntSchema(iss.schema), false, iss.maximum)}, got ${got(iss.input)}`;
    case 'invalid_value':
      return `expected ${iss.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${got(iss.input)}`;
    case 'unrecognized_keys': {
      // One line per key; `flattenIssues` splits them so each key gets its own path.
      const known = iss.inst instanceof z.ZodObject ? Object.keys(iss.inst.shape) : [];
      const what = iss.inst === paramsSchema ? 'param' : 'key';
      return iss.keys.map((k) => unknownKeyMessage(k, known, what)).join('\n');
    }
    default:
      return undefined;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A union branch that failed only because the input had another type entirely says nothing useful. */
function wrongKindOnly(branch: readonly Issue[]): boolean {
  return branch.every((i) => i.path.length === 0 && i.code === 'invalid_type');
}

function flattenUnion(iss: Extract<Issue, { code: 'invalid_union' }>, path: (string | number)[]): InputIssue[] {
  if (iss.discriminator !== undefined && iss.errors.length === 0) {
    // A discriminated union with an unknown or missing `type`.
    const options = ('options' in iss && iss.options ? iss.options : []).map((o) => JSON.stringify(o)).join(' | ');
    const value = isRecord(iss.input) ? iss.input[iss.discriminator] : undefined;
    return [{ path, message: value === undefined ? `required: expected one of ${options}` : `expected one of ${options}, got ${show(value)}` }];
  }
  const candidates = iss.errors.filter((b) => b.length > 0 && !wrongKindOnly(b));
  const fewest = Math.min(...candidates.map((b) => b.length));
  const best = candidates.filter((b) => b.length === fewest);
  // One branch clearly fits the input better: report its issues, which name the precise field.
  if (best.length === 1) return best[0]!.flatMap((i) => flattenIssue(i, path));
  const custom = iss.message !== 'Invalid input' ? iss.message : 'does not match any allowed form';
  return [{ path, message: `${custom}, got ${show(iss.input)}` }];
}

function flattenIssue(iss: Issue, base: readonly (string | number)[]): InputIssue[] {
  const path = [...base, ...iss.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (iss.code === 'invalid_union') return flattenUnion(iss, path);
  if (iss.code === 'unrecognized_keys') {
    const lines = iss.message.split('\n');
    return iss.keys.map((k, i) => ({ path: [...path, k], message: lines[i] ?? lines[0] ?? iss.message }));
  }
  return [{ path, message: iss.message }];
}

/** All issues, unions resolved and unknown keys split, de-duplicated, in document order as zod found them. */
export function flattenIssues(issues: readonly Issue[]): InputIssue[] {
  const seen = new Set<string>();
  const out: InputIssue[] = [];
  for (const issue of issues.flatMap((i) => flattenIssue(i, []))) {
    const key = JSON.stringify([issue.path, issue.message]);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(issue);
    }
  }
  return out;
}
