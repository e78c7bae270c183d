export * from './balance.js';
export * from './inspect.js';
export * from './experiment.js';
