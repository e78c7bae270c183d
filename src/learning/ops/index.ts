// Ops the learning models call: dense layers, embeddings and causal attention tuned for tfjs-wasm.
export { linear, matmul, embedding, oneHotFloat } from './linear.js';
export { causalSelfAttention, causalSelfAttentionReference } from './attention.js';
export { causalSelfAttentionFused, fusedAttentionSupports } from './attention_kernels.js';
