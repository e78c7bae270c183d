/**
 * testbeds/learning: Transformers and RNNs trained on tfjs (WASM backend) to simulate automata.
 * Kept out of the main entry because tfjs is heavy: `import ... from 'testbeds/learning'`.
 */
export { initBackend, setWasmBinaryLocation, setThreads, threadCount, threadsAvailable, type BackendName, type BackendOptions } from './backend.js';
export { linear, causalSelfAttention, useRelaxedSimd, relaxedSimdSupported, gemmMode } from './ops/index.js';
export * from './data.js';
export * from './models/index.js';
export * from './optim.js';
export * from './checkpoint.js';
export * from './train.js';
export * from './memory.js';
export { serveTraining, type WorkerRequest } from './worker.js';
export * from './masked/index.js';
export { compileShortcut, planShortcut, shortcutTrainer, CONSTRUCTIONS, ShortcutError, type Construction, type CompiledShortcut, type ShortcutOptions, type ShortcutRunInfo } from '../shortcuts/index.js';
export * from './flipflop/index.js';
export * from './dyck/index.js';
