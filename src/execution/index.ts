/** execution/: the public API. Importing it loads piscina but not tfjs; tfjs lives in the worker threads. */
export { createTrialRunner, defaultWorkerCount, DEFAULT_RECYCLE_AFTER, type TrialRunnerOptions } from './pool/pool.js';
export { BackendNotInstalledError, NATIVE_PACKAGES } from './backends/backend-select.js';
export { BACKENDS } from './types.js';
export { OVERFLOWS, type Overflow } from './pool/gpu-gate.js';
export { FileCheckpointStore } from './checkpoint/file-store.js';
export { MemoryCheckpointStore } from './checkpoint/memory-store.js';
export { checkpointStoreFor } from './checkpoint/stores.js';
export { answerCheckpointRequest, bindTrialPort, serveFromMainThread, stopServing, type CheckpointRequest, type CheckpointReply } from './checkpoint/main-thread-store.js';
export { parseManifest, sealManifest, weightsMismatch, type CheckpointManifest } from './checkpoint/checkpoint-format.js';
export { stateJson, type SavedState } from './checkpoint/objective-state.js';
export type { CheckpointDraft, CheckpointKind, CheckpointOf, CheckpointStore, CheckpointStoreSpec } from './checkpoint/store.js';
export type { BackendChoice, BackendInfo, BackendName, ExecutionOutcome, OnEpoch, TrialDiagnostics, TrialRunner, TrialTask } from './types.js';
export { checkTaskModule, inspectTaskModule, type CheckModuleOptions } from './task-module/module-check.js';
export { checkTaskData } from './data/check.js';
export type * from './task-module/task-module-types.js';
export { resolveHyperparams, type Hyperparams } from './training/hyperparams.js';
export { resolveArchitecture, architectureDefaults, type Architecture } from './training/architecture.js';
export { KeptModels, type KeepModelTask, type KeptModelInfo, type ModelKeeping } from './models/kept-models.js';
