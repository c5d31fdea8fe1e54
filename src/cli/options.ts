import type { Argv } from 'yargs';
import { DEFAULT_STORAGE } from '../engine/index.js';

/** `--storage`, shared by every command that reads or writes a database. */
export function withStorage<T>(y: Argv<T>) {
  return y.option('storage', {
    type: 'string',
    default: DEFAULT_STORAGE,
    describe: 'SQLite file holding the studies',
    normalize: true,
  });
}

/** `--study`, for commands that read one study. */
export function withStudy<T>(y: Argv<T>) {
  return y.option('study', { type: 'string', demandOption: true, describe: 'Study name (the space file\'s "name")' });
}
