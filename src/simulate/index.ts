/**
 * Simulation of semiautomata: q_t = δ(q_{t-1}, σ_t) by the plain loop and by prefix scans over
 * the maps δ(·,σ) (Hillis–Steele, Brent–Kung, the chunked three-phase scan), one sequence or a
 * batch, on this thread or on worker threads.
 */
export { simulateKernel } from './kernel.js';
export type { SimulateExports } from './kernel.js';
export * from './types.js';
export { simulate, simulateBatch, chooseChunks, scanDepth } from './simulate.js';
export { simulateReference, simulateBatchReference, referenceLoop } from './reference.js';
export { simulateAsync, startWorkers, stopWorkers } from './threads.js';
export { packDelta, type PackedDelta } from './prepare.js';
export { KernelBuffer, isResident } from './resident.js';
