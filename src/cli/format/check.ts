import type { ParamValue } from '../../core/types.js';
import type { SweepPlan } from '../../engine/index.js';
import type { ParamSpec, PrunerSpec, SearchSpace } from '../../space/types.js';
import type { ProbeResult } from '../probe.js';
import { renderTable } from './table.js';
import { formatDuration, formatNumber, formatParam } from './values.js';

/** `, when optimizer=sgd|rmsprop`: a conditional param's condition, as `tune check` lists it. */
function condition(p: ParamSpec): string {
  if (p.when === undefined) return '';
  return `, when ${Object.entries(p.when).map(([k, vs]) => `${k}=${vs.map(formatParam).join('|')}`).join(' and ')}`;
}

function searched(p: ParamSpec): string {
  return range(p) + condition(p);
}

function range(p: ParamSpec): string {
  switch (p.type) {
    case 'float':
    case 'int':
      return `${p.type} ${formatNumber(p.min)} to ${formatNumber(p.max)}${p.log ? ', log' : ''}${p.step !== undefined && !(p.type === 'int' && p.step === 1) ? `, step ${formatNumber(p.step)}` : ''}`;
    case 'categorical':
      return `one of ${p.values.map(formatParam).join(', ')}`;
    case 'fixed':
      return `fixed ${formatParam(p.value)}`;
  }
}

const show = (v: ParamValue | null | undefined): string => (v === undefined ? '-' : v === null ? 'model.hidden' : formatParam(v));

/** `tune check`: what the space searches, what the sweep will train, and how long it should take. */
export function renderCheck(file: string, space: SearchSpace, plan: SweepPlan, defaults: Readonly<Record<string, ParamValue | null>>, workers: number, probe: ProbeResult | null): string {
  const s = space.strategy;
  const names = Object.keys(space.params);
  const lines = [
    `${file}: a valid space for study ${space.name}`,
    `objective  ${space.objective.metric} (${space.objective.direction})`,
    `strategy   ${s.type}, ${plan.trials} trial(s)`,
    ...(space.pruner !== undefined ? [`pruner     ${describePruner(space.pruner)}`] : []),
    '',
    'params (default: what the built-in trainer uses when a config leaves it out)',
    ...renderTable(['param', 'searched', 'default'], names.map((n) => [n, searched(space.params[n]!), show(defaults[n])])).split('\n').map((l) => `  ${l}`),
  ];
  const unsearched = Object.keys(defaults).filter((n) => !names.includes(n));
  if (unsearched.length > 0) lines.push(`  not searched, at their defaults: ${unsearched.map((n) => `${n}=${show(defaults[n])}`).join(' ')}`);
  lines.push('', plan.grid.size === null ? `grid       not enumerable (${plan.grid.reason})` : `grid       ${plan.grid.size} point(s)`);
  if (plan.rungs === null) {
    lines.push(`rungs      none: every trial trains ${space.task.epochs} epoch(s)`);
  } else {
    lines.push(`rungs      ${plan.rungs.join(', ')} epochs (eta ${'eta' in s ? s.eta : '-'})`);
    plan.brackets.forEach((b, i) => lines.push(`bracket ${i}  ${b.configs} config(s) starting at ${b.budgets[0]} epoch(s), rungs ${b.budgets.join(', ')}`));
  }
  const about = !plan.exact ? ' (about: ASHA promotes as results arrive; this is what synchronous halving would train)' : space.pruner !== undefined ? ' at most (the pruner stops trials early)' : '';
  lines.push(`epochs     ${plan.epochBudget} in all${about}`);
  if (probe !== null) {
    const atOnce = Math.max(1, Math.min(workers, plan.trials));
    const runMs = probe.startupMs + probe.firstTrialExtraMs + (plan.epochBudget * probe.epochMs) / atOnce;
    lines.push(
      `probe      one epoch on ${probe.backend}: ${formatSeconds(probe.epochMs)} (building the model included); a worker's first trial also takes ` +
        `${formatSeconds(probe.firstTrialExtraMs)} to load the data, and workers take ${formatSeconds(probe.startupMs)} to start`,
      `estimate   about ${formatDuration(runMs)} with ${workers} worker(s): ${plan.epochBudget} epochs x ${formatSeconds(probe.epochMs)} / ${atOnce} at once` +
        ' plus start-up, if each worker has a core of its own and the machine is otherwise idle',
    );
  }
  return lines.join('\n');
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)}s` : formatDuration(ms);
}

/** `median (startup 5, warmup 0, interval 1, minTrials 1)`: the type and its normalised options. */
function describePruner(p: PrunerSpec): string {
  const { type, ...options } = p;
  return `${type} (${Object.entries(options).map(([k, v]) => `${k} ${String(v)}`).join(', ')})`;
}
