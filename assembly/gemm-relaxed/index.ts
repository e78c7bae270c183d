// assembly/nn/gemm.ts built with relaxed SIMD (scripts/build-kernels.mjs reads ./features): every
// mul+add of the inner loop is one f32x4.relaxed_madd, a fused multiply-add where the CPU has one
// (one rounding instead of two), so results differ from the default build in the last bits and may
// differ between engines and CPUs. Opt-in only (src/learning/ops/gemm.ts: useRelaxedSimd); Node 20
// needs --experimental-wasm-relaxed-simd, Chromium ≥ 114 has it. Same memory layout as assembly/nn.
export { heapBase } from '../common/memory';
export { gemm, gemmScratchBytes, simdPeakMulAdd, simdPeakAccumulate } from '../nn/gemm';
