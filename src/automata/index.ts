/**
 * Automata: the Automaton type and its file format (validate), the zoo, direct products, labels,
 * seeded letter sampling, and (Node only, file system imported on demand so the browser bundle
 * stays free of Node built-ins) name-or-file resolution and sequence files.
 */
export * from './types.js';
export * from './validate.js';
export * from './labels.js';
export * from './zoo.js';
export * from './product.js';
export * from './sample.js';
export * from './resolve.js';
export * from './sequence-io.js';
