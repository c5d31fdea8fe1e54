export { runSweep, studySpec, withOverrides, DEFAULT_STORAGE, type SweepOptions } from './run-sweep.js';
export { runTrials, type SweepParts, type SweepResult } from './sweep.js';
export type { SweepEvent, SweepListener, SweepProgress } from './events.js';
export { bestTrial, directionSign } from './ranking.js';
export { BACKENDS, type BackendChoice, type BackendInfo } from '../execution/types.js';
