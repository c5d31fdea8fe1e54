import { TuneError } from '../core/errors.js';

/** Fewest usable trials (finished, finite value) an estimate needs: below this a top 10 % has no shape. */
export const MIN_TRIALS = 10;

/** Too few usable trials for an importance estimate: exit 2 with the count, rather than NaN scores. */
export class NotEnoughTrialsError extends TuneError {
  override readonly exitCode = 2;
  constructor(
    readonly have: number,
    readonly need: number,
    /** What lacks them, e.g. `results/tune.db: study "adam"`; prefixes the message. */
    readonly where?: string,
  ) {
    super(
      `${where !== undefined ? `${where}: ` : ''}parameter importance needs at least ${need} complete or pruned trials ` +
        `with a finite value; there ${have === 1 ? 'is' : 'are'} ${have}. Run more trials, then ask again.`,
    );
  }
}
