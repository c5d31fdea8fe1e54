import type { Params, ParamValue, StudyId, StudyRecord, TrialRecord, TrialState } from '../core/types.js';
import type { ParamSpec } from '../space/types.js';
import type { ImportanceInput, ParamInfo } from './index.js';

/**
 * Builds importance's input from a stored study. It reads no storage itself (importance/ is a pure layer): pass the
 * study's trials, or a `TrialSource`, which the project's Storage is.
 */

/** What importance needs from a store: the project's `Storage` satisfies it. */
export interface TrialSource {
  trials(study: StudyId, filter?: { readonly states?: readonly TrialState[] }): Promise<readonly TrialRecord[]>;
}

/**
 * Trials that count: complete and pruned ones with a finite value. A pruned trial counts with the value it was
 * stopped at, so in a multi-fidelity study the configs the strategy dropped rank below the ones it kept (as the
 * strategy itself ranked them); failed trials, and trials still running or paused, are left out.
 */
export const COUNTED_STATES: readonly TrialState[] = ['complete', 'pruned'];

/** Reads the study's trials from `source` and builds the input. */
export async function loadImportanceInput(source: TrialSource, study: StudyRecord): Promise<ImportanceInput> {
  return importanceInput(study, await source.trials(study.id, { states: COUNTED_STATES }));
}

export function importanceInput(study: StudyRecord, trials: readonly TrialRecord[]): ImportanceInput {
  const counted = trials.filter((t) => COUNTED_STATES.includes(t.state) && t.value !== null && Number.isFinite(t.value));
  return {
    params: paramInfosOf(study, counted),
    trials: counted.map((t) => ({ params: t.params, value: t.value! })),
    direction: study.direction,
  };
}

/**
 * The searched params of a study: from its stored definition (the full space of its latest run), else from its
 * stored signature, else inferred from the trials (numbers as a linear float range, anything else as categories).
 */
export function paramInfosOf(study: StudyRecord, trials: readonly { readonly params: Params }[]): ParamInfo[] {
  const stored = storedParams(study.definition) ?? storedParams(signatureOf(study.space));
  const specs = stored ?? inferParams(trials);
  return Object.entries(specs)
    .filter(([, spec]) => spec.type !== 'fixed')
    .map(([name, spec]) => ({ name, spec }));
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function signatureOf(space: unknown): unknown {
  return isRecord(space) ? space['signature'] : undefined;
}

/** `params` of a stored space, when every entry looks like a normalised ParamSpec. */
function storedParams(space: unknown): Record<string, ParamSpec> | undefined {
  if (!isRecord(space) || !isRecord(space['params'])) return undefined;
  const params = space['params'];
  for (const spec of Object.values(params)) {
    if (!isRecord(spec) || !['float', 'int', 'categorical', 'fixed'].includes(spec['type'] as string)) return undefined;
  }
  return params as Record<string, ParamSpec>;
}

function inferParams(trials: readonly { readonly params: Params }[]): Record<string, ParamSpec> {
  const seen = new Map<string, ParamValue[]>();
  for (const t of trials) {
    for (const [name, v] of Object.entries(t.params)) {
      const list = seen.get(name) ?? [];
      list.push(v);
      seen.set(name, list);
    }
  }
  const out: Record<string, ParamSpec> = {};
  for (const [name, values] of seen) {
    const numbers = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (numbers.length === values.length) {
      const min = numbers.reduce((a, b) => Math.min(a, b));
      const max = numbers.reduce((a, b) => Math.max(a, b));
      out[name] = min < max ? { type: 'float', min, max, log: false } : { type: 'fixed', value: min };
    } else {
      const distinct = [...new Set(values)];
      out[name] = distinct.length > 1 ? { type: 'categorical', values: distinct } : { type: 'fixed', value: distinct[0]! };
    }
  }
  return out;
}
