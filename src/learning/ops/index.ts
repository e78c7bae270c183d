// Ops the learning models call: dense layers, embeddings, LayerNorm, GELU and causal attention tuned
// for tfjs-wasm (fused AssemblyScript kernels on the wasm backend, plain tfjs ops elsewhere).
export { linear, matmul, embedding, oneHotFloat } from './linear.js';
export { causalSelfAttention, causalSelfAttentionReference, causalSelfAttentionPacked, causalSelfAttentionPackedReference, causalSelfAttentionPackedExposed, attentionEntropy, type ExposedAttentionOptions } from './attention.js';
export { causalSelfAttentionFused, causalSelfAttentionPackedFused, fusedAttentionSupports } from './attention_kernels.js';
export { layerNorm, layerNormReference, gelu, geluReference, columnSum, useThreadedSmallKernels } from './nn.js';
export { matMulT, gemmReference, gemmShape, useRelaxedSimd, relaxedSimdSupported, gemmMode, setGemmSplit, gemmSplit } from './gemm.js';
export { adamwFused, useFusedAdamW, clipScale } from './adamw.js';
export { shareIdentity } from './identity.js';
export { gatherRows, useFusedGather } from './nn.js';
