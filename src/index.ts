/** The package's public API: run sweeps from code, load spaces, read results. */
export { runSweep, type SweepOptions, type SweepResult, type SweepEvent, type SweepListener, type SweepProgress, BACKENDS, type BackendChoice } from './engine/index.js';
export { openStudy, AskError, type OpenStudyOptions, type Study, type TellResult, type TrialHandle } from './engine/index.js';
export type {
  TaskModule, TrialContext, LoadDataContext, ModelContext, TaskData, Examples, ArrayData, NumericArray, ObjectiveResult, JsonValue,
} from './execution/task-module/task-module-types.js';
export { loadSpace, parseSpace } from './space/index.js';
export type { SearchSpace, ParamSpec, TaskSpec, DataSpec, ModelSpec, StrategySpec } from './space/types.js';
export { openStorage } from './storage/index.js';
export type { Storage, StudyChanges } from './storage/types.js';
export type * from './core/types.js';
export { TuneError, InputError, UsageError, StorageError, ConflictError, ExecutionError, StudyMismatchError, StoredSpaceError, TaskModuleError, ERROR_CODES, type ErrorCode } from './core/errors.js';
export {
  computeImportance, importanceInput, loadImportanceInput, NotEnoughTrialsError,
  type ImportanceInput, type ImportanceOptions, type ImportanceResult, type ImportanceScores, type ParamInfo,
} from './importance/index.js';
