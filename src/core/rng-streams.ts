/**
 * Every RNG stream in tune, named in one place. A stored study reproduces only while each stream keeps its name
 * and derivation: renaming `trial/` or changing `seed + epoch` would silently give a rerun other trials, other
 * weights or other shuffles than the stored ones. So these are frozen, and test/engine/reproducibility.test.ts
 * pins the values they give; a new stream gets a new name, never a changed old one.
 *
 * The streams grew three naming schemes, kept as they are:
 * - study streams, from the study seed: `deriveSeed(seed, '<kind>/<index>')` (trial seeds, random configs, TPE);
 * - model streams, from the trial seed: `deriveSeed(seed, '<layer>-<i>')` (initialisers, dropout, its epochs);
 * - raw seeds given to `createRng` (the grid's order, each epoch's shuffle, the train/validation split).
 */
import { createRng, deriveSeed, type Rng } from './rng.js';

/** Study streams: what the strategies and the engine draw from the study seed. */
export const studyStreams = {
  /** Trial `number`'s seed (stored with the trial): its model's initial weights, shuffles and dropout masks. */
  trialSeed: (studySeed: number, number: number): number => deriveSeed(studySeed, `trial/${number}`),
  /** Random search's config number `index` (also TPE's startup, Hyperband's and ASHA's sampler). */
  params: (studySeed: number, index: number): Rng => createRng(deriveSeed(studySeed, `params/${index}`)),
  /** TPE's draws for trial `index`, one stream per purpose ('propose', …). */
  tpe: (studySeed: number, purpose: string, index: number): Rng => createRng(deriveSeed(studySeed, `tpe/${purpose}/${index}`)),
  /** The order in which a grid visits its points. */
  gridOrder: (studySeed: number): Rng => createRng(`${studySeed}/grid`),
  /** The train/validation split (the study seed: every trial of a study sees the same split). */
  split: (splitSeed: number): Rng => createRng(splitSeed),
} as const;

/** Model streams: what one trial draws from its trial seed while it trains. */
export const trialStreams = {
  /** A weight-bearing layer's initialiser seed; `layer` is 'dense-<i>', 'conv-<i>' or 'output'. */
  layerInit: (trialSeed: number, layer: `dense-${number}` | `conv-${number}` | 'output'): number => deriveSeed(trialSeed, layer),
  /** Hidden layer `i`'s dropout seed (a SeededDropout's `seed`). */
  dropout: (trialSeed: number, i: number): number => deriveSeed(trialSeed, `dropout-${i}`),
  /** A dropout layer's masks before any epoch starts (its seed as is). */
  dropoutStart: (dropoutSeed: number): Rng => createRng(dropoutSeed),
  /** A dropout layer's masks in 0-based epoch `epoch`: restarted each epoch, so a resumed trial draws the same. */
  dropoutEpoch: (dropoutSeed: number, epoch: number): Rng => createRng(deriveSeed(dropoutSeed, `epoch-${epoch}`)),
  /** The order of the training rows in 0-based epoch `epoch`. */
  epochShuffle: (trialSeed: number, epoch: number): Rng => createRng(trialSeed + epoch),
} as const;
