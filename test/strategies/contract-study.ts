/**
 * The study the strategy contract drives: the tuner loop of `engine/sweep.ts` (ask until the workers are busy,
 * create / promote / prune as told, report epochs, obey the decision, tell) with the training replaced by a pure
 * learning curve, so every run is deterministic and the whole study lives in memory.
 *
 * The strategy only ever sees a read-only context: records are frozen, the trials array refuses writes, and every
 * read of the context is counted, so a strategy that acts instead of deciding fails loudly.
 */
import type { Decision, Params, TrialId, TrialRecord } from '../../src/core/types.js';
import type { Strategy, StrategyContext, Suggestion } from '../../src/strategies/types.js';

/** The objective's raw value of a config at an epoch: a rising curve whose height depends on every param. */
export function curveValue(params: Params, epoch: number): number {
  let q = 0;
  for (const [name, v] of Object.entries(params).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const x = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : v.length;
    q += Math.sin(x * 7 + name.length) / 2 + 0.5;
  }
  // A small epoch-dependent wobble, so ranks at low budgets are not always the ranks at the top.
  return q * (1 - Math.exp(-epoch / 3)) + 0.05 * Math.sin(epoch * (q + 1));
}

/** Some trials fail (at epoch 1 or 2) and some report NaN, as real studies do. */
const failsAt = (t: TrialRecord, epoch: number): boolean => t.number % 7 === 3 && epoch === 1 + (t.number % 2);
const isNanTrial = (t: TrialRecord): boolean => t.number % 11 === 5;

export interface StudyOptions {
  readonly sign: 1 | -1;
  readonly maxTrials: number;
  readonly workers: number;
  /** Ask twice and report twice at every step, asserting the same answer: a question changes nothing. */
  readonly askTwice?: boolean;
}

/** What a strategy read from its context; anything outside the documented members is a contract breach. */
export interface ContextReads {
  readonly members: Set<string>;
  valueAtCalls: number;
}

const CONTEXT_MEMBERS = new Set(['trials', 'sign', 'maxTrials', 'valueAt']);

/** A deep-frozen copy of a record: a new object, as a reload from storage returns. */
function frozen(t: TrialRecord): TrialRecord {
  return Object.freeze({ ...t, params: Object.freeze({ ...t.params }), error: t.error === null ? null : Object.freeze({ ...t.error }) });
}

/** A view of `trials` that reads through to it (so it grows as trials are appended) and throws on any write. */
function readOnlyArray(trials: TrialRecord[]): readonly TrialRecord[] {
  const refuse = (): never => {
    throw new TypeError('a strategy wrote to ctx.trials');
  };
  return new Proxy(trials, { set: refuse, defineProperty: refuse, deleteProperty: refuse, setPrototypeOf: refuse, preventExtensions: refuse });
}

export class ContractStudy {
  /** Every question and answer, in order: two runs that behave the same have equal logs. */
  readonly log: string[] = [];
  readonly breaches: string[] = [];
  readonly reads: ContextReads = { members: new Set(), valueAtCalls: 0 };
  /** Contexts handed to the strategy; a test may replay questions on them. */
  private trials: TrialRecord[] = [];
  private view: readonly TrialRecord[] = readOnlyArray(this.trials);
  private curves = new Map<TrialId, number[]>();
  private exhausted = false;
  steps = 0;

  constructor(
    private strategy: Strategy,
    readonly options: StudyOptions,
  ) {}

  get records(): readonly TrialRecord[] {
    return this.trials;
  }

  get finished(): boolean {
    return this.exhausted && !this.trials.some((t) => t.state === 'running');
  }

  /** The context a strategy gets: frozen, every member read counted, valueAt checked against the study. */
  context(): StrategyContext {
    const { curves, reads, breaches } = this;
    const trials = this.view;
    const ids = new Set(this.trials.map((t) => t.id));
    const valueAt = (id: TrialId, epoch: number): number | undefined => {
      reads.valueAtCalls++;
      if (!ids.has(id) || !Number.isInteger(epoch) || epoch < 1) breaches.push(`valueAt(${id}, ${epoch}) asks about no trial's epoch`);
      return curves.get(id)?.[epoch - 1];
    };
    const ctx: StrategyContext = Object.freeze({ trials, sign: this.options.sign, maxTrials: this.options.maxTrials, valueAt });
    return new Proxy(ctx, {
      get(target, key, receiver) {
        const name = String(key);
        reads.members.add(name);
        if (!CONTEXT_MEMBERS.has(name)) breaches.push(`read ctx.${name}, which StrategyContext doesn't have`);
        return Reflect.get(target, key, receiver);
      },
    });
  }

  /** A fresh strategy instance and a reloaded study (new array, new record objects), as after a restart. */
  handOff(strategy: Strategy | undefined): void {
    if (strategy !== undefined) this.strategy = strategy;
    this.trials = this.trials.map(frozen);
    this.view = readOnlyArray(this.trials);
    this.curves = new Map([...this.curves].map(([id, c]) => [id, [...c]]));
  }

  /** Runs to the end (or `steps` more steps); throws if the strategy waits with nothing running. */
  run(steps = Number.POSITIVE_INFINITY, limit = 5000): this {
    for (let i = 0; i < steps && !this.finished; i++) {
      this.step();
      if (this.steps > limit) throw new Error(`no end after ${limit} steps`);
    }
    return this;
  }

  /** One round of the tuner loop: fill the free workers, then train one running trial for one epoch. */
  step(): void {
    this.steps++;
    while (!this.exhausted && this.running().length < this.options.workers) {
      const s = this.ask();
      if (s.kind === 'done') this.exhausted = true;
      if (!this.act(s)) break;
    }
    const running = this.running();
    if (running.length === 0) {
      if (!this.exhausted) throw new Error(`the strategy waits with nothing running (after ${this.trials.length} trials)`);
      return;
    }
    // The trial furthest behind trains next (ties to the lower number): workers progress in lock step.
    const next = running.reduce((a, b) => (b.epochs < a.epochs ? b : a));
    this.train(next);
  }

  private running(): TrialRecord[] {
    return this.trials.filter((t) => t.state === 'running');
  }

  private ask(): Suggestion {
    const ctx = this.context();
    const s = this.strategy.ask(ctx);
    this.log.push(`ask@${this.trials.length}: ${JSON.stringify(s)}`);
    if (this.options.askTwice) {
      const again = this.strategy.ask(ctx);
      if (JSON.stringify(again) !== JSON.stringify(s)) this.breaches.push(`asked twice, answered ${JSON.stringify(s)} then ${JSON.stringify(again)}`);
    }
    this.check(s);
    return s;
  }

  /** Checks an answer against the study as it is; breaches are collected for the test to assert on. */
  private check(s: Suggestion): void {
    const at = `after ${this.trials.length} trials`;
    switch (s.kind) {
      case 'trial': {
        if (!Number.isInteger(s.budget) || s.budget < 1) this.breaches.push(`${at}: budget ${s.budget}`);
        if (s.resumeOf === undefined) {
          if (this.trials.length >= this.options.maxTrials) this.breaches.push(`${at}: a new trial beyond maxTrials ${this.options.maxTrials}`);
          return;
        }
        const t = this.byId(s.resumeOf);
        if (t?.state !== 'paused' || t.epochs < t.budget || !(s.budget > t.epochs)) {
          this.breaches.push(`${at}: promoted trial ${s.resumeOf}, which is ${t ? `${t.state} at ${t.epochs}/${t.budget} epochs` : 'unknown'}, to ${s.budget}`);
        }
        return;
      }
      case 'prune': {
        const t = this.byId(s.trialId);
        if (t?.state !== 'paused') this.breaches.push(`${at}: pruned trial ${s.trialId}, which is ${t?.state ?? 'unknown'}`);
        return;
      }
      case 'wait':
      case 'done':
        return;
      default:
        this.breaches.push(`${at}: an answer of unknown kind ${JSON.stringify(s)}`);
    }
  }

  /** Carries out a suggestion as the engine does; false when there is nothing to start now. */
  private act(s: Suggestion): boolean {
    if (s.kind === 'wait' || s.kind === 'done') return false;
    if (s.kind === 'prune') {
      const t = this.byId(s.trialId);
      if (t?.state !== 'paused') return false; // a breach, already recorded: asking again would loop
      this.set({ ...t, state: 'pruned' });
      return true;
    }
    if (s.resumeOf !== undefined) {
      const t = this.byId(s.resumeOf);
      if (t?.state !== 'paused') return false;
      this.set({ ...t, state: 'running', budget: s.budget, rung: s.rung ?? 0 });
      return true;
    }
    const number = this.trials.length;
    this.trials.push(
      frozen({
        id: number + 1, studyId: 1, number, state: 'running', params: s.params, budget: s.budget, rung: s.rung ?? null, bracket: s.bracket ?? null,
        seed: number, value: null, epochs: 0, error: null, checkpoint: null, worker: 'contract', attempts: 0,
        createdAt: '', startedAt: null, finishedAt: null, heartbeatAt: null,
      }),
    );
    return true;
  }

  private train(t: TrialRecord): void {
    const epoch = t.epochs + 1;
    if (failsAt(t, epoch)) {
      this.finish(this.set({ ...t, state: 'failed', error: { kind: 'exception', message: `failed at epoch ${epoch}` } }));
      return;
    }
    const value = isNanTrial(t) ? Number.NaN : curveValue(t.params, epoch);
    const curve = this.curves.get(t.id) ?? [];
    curve[epoch - 1] = value;
    this.curves.set(t.id, curve);
    const current = this.set({ ...t, epochs: epoch, value });
    const decision = this.report(current, epoch, value);
    if (decision === 'pause') this.finish(this.set({ ...current, state: 'paused', checkpoint: `ckpt-${current.number}` }));
    else if (decision === 'stop') this.finish(this.set({ ...current, state: 'pruned' }));
    else if (epoch >= current.budget) this.finish(this.set({ ...current, state: 'complete' }));
  }

  private report(t: TrialRecord, epoch: number, value: number): Decision {
    const ctx = this.context();
    const d = this.strategy.onReport(ctx, t, epoch, value);
    this.log.push(`report #${t.number}@${epoch}: ${d}`);
    if (d !== 'continue' && d !== 'stop' && d !== 'pause') this.breaches.push(`onReport answered ${JSON.stringify(d)}`);
    if (this.options.askTwice && this.strategy.onReport(ctx, t, epoch, value) !== d) this.breaches.push(`#${t.number}@${epoch}: two reports, two decisions`);
    return d;
  }

  private finish(t: TrialRecord): void {
    const r: unknown = this.strategy.tell(this.context(), t);
    if (r !== undefined) this.breaches.push(`tell returned ${JSON.stringify(r)}`);
  }

  private byId(id: TrialId): TrialRecord | undefined {
    return this.trials[id - 1]?.id === id ? this.trials[id - 1] : undefined;
  }

  /** Stores a changed trial as a new frozen record at its index (records are never mutated). */
  private set(t: TrialRecord): TrialRecord {
    const rec = frozen(t);
    this.trials[t.id - 1] = rec;
    return rec;
  }
}

/** True when some rung has a trial waiting at its end while another trial of the same rung (and bracket) still trains. */
export function midRung(trials: readonly TrialRecord[]): boolean {
  return trials.some(
    (p) => p.state === 'paused' && p.epochs >= p.budget && trials.some((r) => r.state === 'running' && r.rung === p.rung && r.bracket === p.bracket),
  );
}
