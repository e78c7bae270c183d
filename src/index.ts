/**
 * testbeds: the simple testbeds of ML theory, real and fast.
 * One module per capability; each is documented in docs/<capability>.md.
 */
export { ArgumentError } from './validate/index.js';
export * from './random/prng.js';
export * from './kernels/loader.js';
export * from './automata/index.js';
export * from './simulate/index.js';
export * from './algebra/index.js';
export * from './cp/index.js';
export * from './hmm/index.js';
export * from './nce/index.js';
// The flip-flop glitch picture (no tfjs): the page draws a stored glitch report with it.
export { glitchSvg, glitchText, type Glitch, type GlitchSearch } from './learning/flipflop/render.js';
