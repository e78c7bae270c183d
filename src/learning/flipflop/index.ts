export * from './glitches.js';
export * from './experiment.js';
export * from './show.js';
