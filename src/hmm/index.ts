// Public API of src/hmm: hidden Markov models, masked-prediction predictors, the triplet tensor,
// recovery of (O, T) by CP decomposition, and the pairwise "twin" counterexample.
export * from './types.js';
export * from './random.js';
export * from './predictors.js';
export * from './sample.js';
export * from './match.js';
export * from './counterexample.js';
export * from './recover.js';
export * from './conditioning.js';
export * from './experiment.js';
export * from './data.js';
