export * from './glitches.js';
export * from './experiment.js';
