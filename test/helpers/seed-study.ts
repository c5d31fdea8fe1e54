/**
 * Deterministic studies for report and dashboard tests, written through the public Storage API with a pinned clock
 * (no training): seeded values and curves, four concurrent slots on one tuner process, failures, and for `asha` a
 * three-rung ladder (1, 3, 9 epochs) with real pauses, promotions and prunes.
 */
import { createRng } from '../../src/core/rng.js';
import type { Params, StudyRecord, TrialId } from '../../src/core/types.js';
import type { SearchSpace } from '../../src/space/types.js';
import { openStorage, type Storage } from '../../src/storage/index.js';

export interface SeedOptions {
  readonly name?: string;
  readonly trials: number;
  readonly strategy?: 'random' | 'asha';
  /** Epochs per trial for `random` (default 5). */
  readonly epochs?: number;
  readonly seed?: number;
  /** Leave every trial waiting (a study with no finished trials). */
  readonly unstarted?: boolean;
}

export const SEED_WORKER = 'seed-host:4242';
const SLOTS = 4;
const T0 = Date.parse('2026-03-01T09:00:00.000Z');

export function seedSpace(name: string, strategy: 'random' | 'asha', epochs: number, trials: number): SearchSpace {
  return {
    name,
    objective: { metric: 'val_accuracy', direction: 'maximize' },
    task: { data: { builtin: 'mnist', limit: 200 }, validationSplit: 0.2, model: { type: 'mlp', hidden: [16] }, optimizer: 'adam', epochs },
    params: {
      learningRate: { type: 'float', min: 1e-4, max: 1e-1, log: true },
      units: { type: 'int', min: 8, max: 128, log: false, step: 1 },
      dropout: { type: 'float', min: 0, max: 0.5, log: false },
      optimizer: { type: 'categorical', values: ['adam', 'sgd', 'rmsprop'] },
    },
    strategy: strategy === 'random' ? { type: 'random', trials } : { type: 'asha', trials, eta: 3, minEpochs: 1, maxEpochs: 9 },
    seed: 11,
  };
}

/** The objective's ceiling: learning rate matters most (peak at 1e-2), dropout a little, the rest not at all. */
function ceiling(p: Params): number {
  const lr = Math.log10(p.learningRate as number);
  return 0.95 - 0.12 * (lr + 2) ** 2 - 0.1 * Math.abs((p.dropout as number) - 0.2);
}

export class SeedClock {
  t = T0;
  readonly now = () => new Date(this.t);
}

/** Creates (or opens) the file and writes the study; returns the open storage (the caller closes it) and the study. */
export async function seedStudy(file: string, options: SeedOptions): Promise<{ storage: Storage; study: StudyRecord }> {
  const clock = new SeedClock();
  const storage = openStorage(file, { now: clock.now });
  const strategy = options.strategy ?? 'random';
  const epochs = options.epochs ?? 5;
  const name = options.name ?? `seed-${strategy}`;
  const space = seedSpace(name, strategy, epochs, options.trials);
  const study = await storage.openStudy({ name, space: { seeded: true }, direction: 'maximize', metric: 'val_accuracy', strategy, seed: 11 });
  await storage.setStudyDefinition(study.id, space);
  const rng = createRng(options.seed ?? 5);
  const slots = new Array<number>(SLOTS).fill(T0);
  const slot = () => slots.indexOf(Math.min(...slots));
  const draw = (): Params => ({
    learningRate: 10 ** (-4 + 3 * rng()),
    units: 8 + Math.floor(rng() * 121),
    dropout: 0.5 * rng(),
    optimizer: ['adam', 'sgd', 'rmsprop'][Math.floor(rng() * 3)]!,
  });
  const curve = (p: Params, e: number) => ceiling(p) * (1 - Math.exp(-e / 2)) + 0.01 * (rng() - 0.5);

  /** Runs a claimed trial from epoch `from` to `to` on the earliest free slot, one simulated second per epoch. */
  const run = async (id: TrialId, p: Params, from: number, to: number): Promise<number> => {
    const s = slot();
    clock.t = slots[s]!;
    if (!(await storage.claimTrial(id, SEED_WORKER))) throw new Error(`seed: could not claim ${id}`);
    let v = Number.NaN;
    for (let e = from; e <= to; e++) {
      clock.t += 1000;
      v = curve(p, e);
      await storage.report(id, e, { val_accuracy: v, loss: 1 - v }, v);
    }
    slots[s] = clock.t + 50;
    return v;
  };

  if (strategy === 'random') {
    for (let n = 0; n < options.trials; n++) {
      const p = draw();
      const trial = await storage.createTrial(study.id, { params: p, budget: epochs, seed: n });
      if (options.unstarted) continue;
      if (n === options.trials - 1) continue; // the last one still waiting
      if (n % 10 === 7) {
        await run(trial.id, p, 1, 1);
        await storage.finishTrial(trial.id, { state: 'failed', epochs: 1, error: { kind: n % 20 === 7 ? 'exception' : 'nan', message: 'seeded failure' } });
        continue;
      }
      if (n === options.trials - 2) {
        await run(trial.id, p, 1, 2); // still running at epoch 2
        continue;
      }
      const v = await run(trial.id, p, 1, epochs);
      await storage.finishTrial(trial.id, { state: 'complete', epochs, value: v });
    }
    return { storage, study: (await storage.getStudy(name))! };
  }

  // ASHA-style ladder [1, 3, 9], decided rung by rung so the outcome is deterministic: the top third is promoted.
  const budgets = [1, 3, 9];
  let rung: { id: TrialId; p: Params; v: number }[] = [];
  for (let n = 0; n < options.trials; n++) {
    const p = draw();
    const trial = await storage.createTrial(study.id, { params: p, budget: budgets[0]!, rung: 0, seed: n });
    if (options.unstarted) continue;
    const v = await run(trial.id, p, 1, budgets[0]!);
    await storage.finishTrial(trial.id, { state: 'paused', epochs: budgets[0]! });
    rung.push({ id: trial.id, p, v });
  }
  for (let k = 1; k < budgets.length && rung.length > 0; k++) {
    rung.sort((a, b) => b.v - a.v);
    const keep = Math.floor(rung.length / 3);
    for (const loser of rung.slice(keep)) await storage.finishTrial(loser.id, { state: 'pruned', epochs: budgets[k - 1]! });
    const next: typeof rung = [];
    for (const winner of rung.slice(0, keep)) {
      await storage.promoteTrial(winner.id, budgets[k]!, k);
      const v = await run(winner.id, winner.p, budgets[k - 1]! + 1, budgets[k]!);
      if (k === budgets.length - 1) await storage.finishTrial(winner.id, { state: 'complete', epochs: budgets[k]!, value: v });
      else await storage.finishTrial(winner.id, { state: 'paused', epochs: budgets[k]! });
      next.push({ id: winner.id, p: winner.p, v });
    }
    rung = next;
  }
  return { storage, study: (await storage.getStudy(name))! };
}
