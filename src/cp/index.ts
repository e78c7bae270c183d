// CP decomposition of dense 3-way tensors (CP-ALS with a WASM SIMD MTTKRP kernel) and factor comparison.
export type { Matrix } from './matrix.js';
export { matrix, matrixFromRows, matrixToRows, randomMatrix, matmul, transpose, columnNorms, column } from './matrix.js';
export type { Tensor3 } from './tensor.js';
export { tensor3, checkTensor, fromFactors, norm, contractMode, unfoldingGram } from './tensor.js';
export type { CPOptions, CPResult, CPInit } from './cp.js';
export { cp, maxRank } from './cp.js';
export type { NonnegCPOptions } from './hals.js';
export { cpNonneg } from './hals.js';
export type { Congruence, CPFactors } from './congruence.js';
export { congruence, factorMatchScore, hungarian } from './congruence.js';
export { jennrichInit, svdInit, randomInit, mttkrpMode } from './init.js';
export type { Factors, GramOf } from './init.js';
export type { AlsOps } from './ops.js';
export { tsOps } from './ops.js';
export { wasmOps, cpKernel, unfoldingGramWasm } from './kernel.js';
export type { CPExports } from './kernel.js';
