/** The space layer's public API: read, validate and normalise space files; enumerate and sample them. */
export * from './types.js';
export { parseSpace, loadSpace, spaceSignature, defaultDirection, type ParseOptions } from './load.js';
export { gridPoints, gridPointAt, gridSize, paramsKey, axisValues, steppedValue, stepCount, MAX_GRID_POINTS } from './grid.js';
export { sampleParams, sampleValue } from './sample.js';
export { spaceFileSchema, NAME_PATTERN, type SpaceFile, type SpaceFileInput } from './schema.js';
export { STRATEGY_SPACES, STRATEGY_SCHEMAS, spaceDefinition, type StrategySpaceDefinition } from './strategy-definitions.js';
export { spaceJsonSchema, spaceJsonSchemaText, SPACE_SCHEMA_ID } from './emit-schema.js';
export { PARAM_RULES, checkParamValue } from './param-rules.js';
export { rungBudgets, rungLadder, withRungLadder, maxRung, isFidelityStrategy, FIDELITY_STRATEGY_TYPES, type FidelityStrategyType, type FidelityStrategySpec } from './fidelity.js';
export { FIDELITY_ALIASES, FIDELITY_DEFAULTS } from './fidelity-schema.js';
export { TPE_DEFAULTS, BOHB_DEFAULTS } from './tpe-schema.js';
export { checkEnqueued, valueInSpec } from './enqueue.js';
export { isActive, activeOnly, conditionOrder, hasConditions, conditionIssues } from './conditions.js';
export { PRUNER_TYPES, PRUNER_DEFAULTS, prunerSchema, normalisePruner, type PrunerType, type MedianPrunerSpec, type PercentilePrunerSpec, type PatiencePrunerSpec, type ThresholdPrunerSpec, type PruneSchedule, type ComparisonSchedule } from './pruner-schema.js';
