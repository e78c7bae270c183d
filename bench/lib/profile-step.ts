/**
 * Per-kernel time of one fused GPT training step on tfjs-wasm (tf.profile), summed by kernel
 * name, best of a few steps per kernel. For finding the next hot spot; timings on a shared VM are
 * noisy, hence the per-kernel minimum over steps. bench/train.ts --threads prints it grouped
 * (profileGroups) at each thread count.
 * Usage: node dist/bench/lib/profile-step.js [L d T B [threads]] (prints every kernel, and the launches per step)
 */
import * as tf from '@tensorflow/tfjs-core';
import { pathToFileURL } from 'node:url';
import { initBackend } from '../../src/learning/backend.js';
import { causalSelfAttention } from '../../src/learning/ops/index.js';
import { GptStep, type GptConfig } from './gpt-step.js';

/** tf.profile records for customGrad wrappers: they contain other kernels' time. */
const WRAPPERS = new Set(['forward', 'unnamed scope']);

/** Kernel name → { ms (best over `reps` steps of the per-step sum), n (calls per step), flops (TestbedsMatMul: 2·M·N·K summed over the step's calls, else 0) }. */
export async function profileStep(cfg: GptConfig, reps = 4, steps?: { wallMs: number; kernelMs: number }[]): Promise<Map<string, { ms: number; n: number; flops: number }>> {
  const model = new GptStep(cfg, { attention: causalSelfAttention, fused: true });
  try {
    model.step();
    const best = new Map<string, { ms: number; n: number; flops: number }>();
    for (let rep = 0; rep < reps; rep++) {
      const t0 = performance.now();
      const info = await tf.profile(() => { model.step(); });
      const wallMs = performance.now() - t0;
      // `steps` gets each profiled step's wall time and its own kernel sum (wrappers left out):
      // the difference is the time outside kernels (JS dispatch, autodiff, tf.profile's own records).
      steps?.push({ wallMs, kernelMs: info.kernels.reduce((a, k) => a + (WRAPPERS.has(k.name) || typeof k.kernelTimeMs !== 'number' ? 0 : k.kernelTimeMs), 0) });
      const sums = new Map<string, { ms: number; n: number; flops: number }>();
      for (const k of info.kernels) {
        const e = sums.get(k.name) ?? { ms: 0, n: 0, flops: 0 };
        e.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
        e.n++;
        if (k.name === 'TestbedsMatMul') e.flops += gemmFlops(k.inputShapes[0] ?? [], k.outputShapes[0] ?? []);
        sums.set(k.name, e);
      }
      for (const [name, e] of sums) {
        const b = best.get(name);
        if (!b || e.ms < b.ms) best.set(name, e);
      }
    }
    return best;
  } finally {
    model.dispose();
  }
}

/**
 * 2·M·N·K of one TestbedsMatMul from its shapes (the profile has no attributes): C is [M, N] and a is
 * [M, K] or, transposed, [K, M]; K is a's other dimension (either reading gives it when both are M).
 */
export function gemmFlops(aShape: readonly number[], cShape: readonly number[]): number {
  if (aShape.length !== 2 || cShape.length !== 2) return 0;
  const [M, N] = cShape;
  const K = aShape[0] === M ? aShape[1] : aShape[0];
  return 2 * M * N * K;
}

/**
 * The timed step (stepMs) with its GEMM at `ceiling` GFLOP/s and every other kernel as profiled:
 * the profile's kernel total with the GEMM's time replaced by GFLOP ÷ ceiling, as a fraction of
 * that total, applied to the timed step (the profile's kernel times and the timed step come from
 * different steps, so the profile only gives the proportions). Also the GEMM's own GFLOP/s in the
 * step. bench/train.ts prints both against PyTorch.
 */
export function stepWithGemmAtCeiling(stepMs: number, g: { gemm: number; gemmFlops: number; total: number }, ceiling: number): { gemmGflops: number; stepMs: number } {
  for (const [name, v] of [['stepMs', stepMs], ['gemm', g.gemm], ['gemmFlops', g.gemmFlops], ['total', g.total], ['ceiling', ceiling]] as const) {
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`stepWithGemmAtCeiling: ${name} must be a positive number, got ${v}`);
  }
  if (g.gemm > g.total) throw new Error(`stepWithGemmAtCeiling: gemm time ${g.gemm} ms exceeds the kernel total ${g.total} ms`);
  return { gemmGflops: g.gemmFlops / g.gemm / 1e6, stepMs: (stepMs * (g.total - g.gemm + g.gemmFlops / ceiling / 1e6)) / g.total };
}

/** Kernel launches per step in a profile (wrappers left out). */
export function launches(p: Map<string, { n: number }>): number {
  let n = 0;
  for (const [name, e] of p) if (!WRAPPERS.has(name)) n += e.n;
  return n;
}

/** The `k` largest kernels outside the named groups, as "Name 1.2 ms (3×), …". */
export function topOther(p: Map<string, { ms: number; n: number }>, k: number): string {
  return [...p].filter(([name]) => !WRAPPERS.has(name) && !GROUPED.test(name)).sort((a, b) => b[1].ms - a[1].ms).slice(0, k)
    .map(([name, e]) => `${name} ${e.ms.toFixed(1)} ms (${e.n}×)`).join(', ');
}

const GROUPED = /^(TestbedsMatMul|TestbedsCausalAttention|TestbedsGelu|TestbedsAdamW$)/;

/**
 * The profile in the groups threads split (gemm, attention, GELU) and the rest, in ms. The
 * customGrad wrappers ("forward", "unnamed scope") contain other kernels and are left out.
 */
export function profileGroups(p: Map<string, { ms: number; flops?: number }>): { gemm: number; gemmFlops: number; attention: number; gelu: number; adamw: number; other: number; total: number } {
  const g = { gemm: 0, gemmFlops: 0, attention: 0, gelu: 0, adamw: 0, other: 0, total: 0 };
  for (const [name, { ms, flops }] of p) {
    if (WRAPPERS.has(name)) continue;
    if (name === 'TestbedsMatMul') {
      g.gemm += ms;
      g.gemmFlops += flops ?? 0;
    }
    else if (name.startsWith('TestbedsCausalAttention')) g.attention += ms;
    else if (name.startsWith('TestbedsGelu')) g.gelu += ms;
    else if (name === 'TestbedsAdamW') g.adamw += ms;
    else g.other += ms;
    g.total += ms;
  }
  return g;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const names = ['L', 'd', 'T', 'B', 'threads'];
  if (args.length !== 0 && args.length !== 4 && args.length !== 5) {
    process.stderr.write(`profile-step: give L d T B [threads] (e.g. 4 128 100 32 2), got ${args.length} argument(s)\n`);
    process.exit(2);
  }
  args.forEach((a, i) => {
    if (!/^[1-9][0-9]{0,3}$/.test(a)) {
      process.stderr.write(`profile-step: ${names[i]} must be a positive integer, got ${JSON.stringify(a)}\n`);
      process.exit(2);
    }
  });
  const [L, d, T, B, threads] = args.length ? [...args.map(Number), ...(args.length === 4 ? [1] : [])] : [2, 64, 64, 32, 1];
  await initBackend('wasm', { threads });
  const best = await profileStep({ layers: L, width: d, heads: 4, length: T, batch: B, vocab: 8 });
  const rows = [...best].filter(([name]) => !WRAPPERS.has(name)).sort((a, b) => b[1].ms - a[1].ms);
  const total = rows.reduce((a, [, e]) => a + e.ms, 0);
  const g = profileGroups(best);
  console.log(`L=${L} d=${d} T=${T} B=${B}: kernel ms (best of 4 steps per kernel), total ${total.toFixed(1)}, ${launches(best)} kernel launches per step; gemm ${(g.gemmFlops / 1e9).toFixed(2)} GFLOP at ${(g.gemmFlops / g.gemm / 1e6).toFixed(1)} GFLOP/s`);
  for (const [name, e] of rows) console.log(`${name.padEnd(36)} ${e.ms.toFixed(2).padStart(8)} ms ${String(e.n).padStart(5)} calls`);
}
