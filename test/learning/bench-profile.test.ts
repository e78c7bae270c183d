// The training benchmark's GEMM-in-the-step figures (bench/lib/profile-step.ts): the flops of a
// profiled product from its shapes, and the step with its GEMM at the SIMD ceiling.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { gemmFlops, stepWithGemmAtCeiling } from '../../bench/lib/profile-step.js';

describe('benchmark profile arithmetic', () => {
  it('gemmFlops reads K off a as [M, K] or, transposed, [K, M]', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 5000 }), fc.boolean(), (M, N, K, ta) => {
      expect(gemmFlops(ta ? [K, M] : [M, K], [M, N])).toBe(2 * M * N * K);
    }), { numRuns: 300 });
    // The benchmark's weight gradient xᵀ·dy at L=4: C [128, 384], a = x [3200, 128] read transposed.
    expect(gemmFlops([3200, 128], [128, 384])).toBe(2 * 128 * 384 * 3200);
    expect(gemmFlops([2, 3, 4], [2, 4])).toBe(0);
  });

  it('stepWithGemmAtCeiling replaces the GEMM time by GFLOP ÷ ceiling, in the profile\'s proportions', () => {
    // 15.12 GFLOP in 290 ms of a 364 ms kernel total, a 353 ms timed step, ceiling 72.8 GFLOP/s.
    const r = stepWithGemmAtCeiling(353.3, { gemm: 290.6, gemmFlops: 15.12e9, total: 364.1 }, 72.8);
    expect(r.gemmGflops).toBeCloseTo(15.12e9 / 290.6 / 1e6, 9);
    expect(r.stepMs).toBeCloseTo((353.3 * (364.1 - 290.6 + 15.12e9 / 72.8 / 1e6)) / 364.1, 9);
    fc.assert(fc.property(fc.double({ min: 1, max: 1e4, noNaN: true }), fc.double({ min: 0.01, max: 1, noNaN: true }), fc.double({ min: 1e6, max: 1e12, noNaN: true }), fc.double({ min: 1, max: 500, noNaN: true }), (step, share, flops, ceiling) => {
      const total = 100;
      const gemm = 100 * share;
      const r = stepWithGemmAtCeiling(step, { gemm, gemmFlops: flops, total }, ceiling);
      // At the ceiling the GEMM is faster iff it ran below the ceiling; the rest is unchanged.
      if (r.gemmGflops < ceiling) expect(r.stepMs).toBeLessThan(step * (1 + 1e-12));
      else expect(r.stepMs).toBeGreaterThan(step * (1 - 1e-12));
      expect(r.stepMs).toBeGreaterThan((step * (total - gemm)) / total * (1 - 1e-12));
    }), { numRuns: 300 });
    expect(() => stepWithGemmAtCeiling(100, { gemm: 10, gemmFlops: 1e9, total: 50 }, 0)).toThrow(/ceiling must be a positive number, got 0/);
    expect(() => stepWithGemmAtCeiling(100, { gemm: 60, gemmFlops: 1e9, total: 50 }, 70)).toThrow(/gemm time 60 ms exceeds the kernel total 50 ms/);
  });
});
