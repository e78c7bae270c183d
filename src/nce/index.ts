/** The NCE landscape testbed (Liu, Rosenfeld, Ravikumar & Risteski 2022): see ./problem.ts. */
export { nceProblem, parameterError, smoothness, MAX_DIMS, MAX_DISTANCE, type NceProblem } from './problem.js';
export { logisticMoments, gaussianMgf, type LogisticMoments } from './quadrature.js';
export { populationGradient, sampledGradient, type Loss, type Evaluation } from './gradient.js';
export { runNce, NCE_METHODS, NCE_MAX_STEPS, NCE_MAX_SAMPLES, type NceMethod, type NceRun, type NceRunOptions } from './optimize.js';
export { runNceExperiment, growthOf, leastSquares, nceMarkdown, nceSvg, type NceExperiment, type NceExperimentOptions, type Growth, type Fit } from './experiment.js';
