/** Masked prediction with learned predictors: train, save, recover (O, T) or show the twin. */
export { parseMaskedTask, outputSize, TRIPLET_TASKS, PAIRWISE_TASKS, type MaskedTask } from './task.js';
export { createPredictorModel, PREDICTOR_MODELS, type PredictorModel, type PredictorModelKind } from './model.js';
export { learnPredictor, MAX_PREDICTOR_OUTPUTS, MAX_LEARN_SAMPLES, type LearnOptions, type LearnedPredictor, type PredictorLoss } from './learn.js';
export { encodePredictor, decodePredictor, predictorJoint, recoverFromPredictor, predictorLoss, pairwiseTwinCheck, type TwinCheck } from './predictor.js';
export { runLearnedExperiment, learnedExperimentMarkdown, learnedExperimentSvg, type LearnedExperiment, type LearnedExperimentOptions, type LearnedRow } from './experiment.js';
