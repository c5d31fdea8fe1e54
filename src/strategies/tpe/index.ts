/** TPE: the Parzen estimators, the model and the samplers built on it. */
export { TpeStrategy } from './strategy.js';
export { TpeSampler, type TpeSamplerOptions } from './sampler.js';
export { FidelityTpeSampler, type FidelityTpeOptions } from './fidelity-sampler.js';
export { ParzenEstimator, type ParzenInput } from './parzen.js';
export { Encoding } from './encoding.js';
