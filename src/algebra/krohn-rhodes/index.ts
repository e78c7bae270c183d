// Public API of src/algebra/krohn-rhodes: the holonomy decomposition and its emulation check.
export {
  holonomyDecomposition,
  formatDecomposition,
  decompositionJson,
  cascadeOf,
  type HolonomyDecomposition,
  type HolonomyLevel,
  type HolonomyComponent,
  type CascadeData,
} from './decomposition.js';
export { verifyEmulation, type EmulationOptions, type EmulationResult } from './verify.js';
export { encodeState, decodeState, stepCascade, type LevelMap } from './cascade.js';
export { buildSkeleton, type Skeleton } from './skeleton.js';
