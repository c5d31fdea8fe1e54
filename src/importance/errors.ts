import { UsageError } from '../core/errors.js';

/** Fewest usable trials (finished, finite value) an estimate needs: below this a top 10 % has no shape. */
export const MIN_TRIALS = 10;

/** Too few usable trials for an importance estimate: exit 2 with the count, rather than NaN scores. */
export class NotEnoughTrialsError extends UsageError {
  constructor(
    readonly have: number,
    readonly need: number,
    what = 'finished trials with a finite value',
  ) {
    super(`parameter importance needs at least ${need} ${what}; there ${have === 1 ? 'is' : 'are'} ${have}`);
  }
}
