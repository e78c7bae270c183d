/**
 * The CP-ALS kernel (assembly/cp) behind the AlsOps interface. TypeScript owns the kernel's
 * memory: `workspace` allocates every array of one ALS run in the arena at once and only then
 * takes Float64Array views (growth would detach earlier views); kernel calls get the views'
 * byteOffsets as pointers; `release` resets the arena to its mark, so repeated runs never leak.
 */
import { loadKernel } from '../kernels/kernel.js';
import type { KernelExports } from '../kernels/arena.js';
import { wasmBase64 } from '../kernels/generated/cp.js';
import type { AlsOps } from './ops.js';
import type { Matrix } from './matrix.js';
import { checkTensor, type Tensor3 } from './tensor.js';
import { checkOneOf } from '../validate/index.js';

export interface CPExports extends KernelExports {
  ttm3(x: number, IJ: number, K: number, c: number, R: number, t: number): void;
  mttkrp1(t: number, I: number, J: number, R: number, b: number, m: number): void;
  mttkrp2(t: number, I: number, J: number, R: number, a: number, m: number): void;
  mttkrp3(x: number, I: number, J: number, K: number, a: number, b: number, R: number, m: number, w: number): void;
  gram(a: number, n: number, R: number, g: number): void;
  gramRows(m: number, rows: number, cols: number, g: number, accumulate: number): void;
  choleskySolve(v: number, R: number, m: number, n: number): number;
  updateFactor(g1: number, g2: number, R: number, l2: number, v: number, vbak: number, m: number, n: number, f: number, normalize: number): number;
  residualSq(x: number, I: number, J: number, K: number, a: number, b: number, c: number, R: number, w: number, ct: number): number;
}

export const cpKernel = await loadKernel<CPExports>('cp', wasmBase64);

const k = cpKernel.exports;
const arena = cpKernel.arena;
const marks: number[] = [];

/** Pointer of a view into the kernel's memory (checked: a foreign array would be a silent bug). */
function ptr(a: Float64Array): number {
  if (a.buffer !== arena.memory.buffer) throw new Error('cp kernel: array is not a view of the kernel memory (allocate it with wasmOps.workspace)');
  return a.byteOffset;
}

export const wasmOps: AlsOps = {
  name: 'wasm',
  workspace(lengths) {
    const mark = arena.mark();
    try {
      const ptrs = lengths.map((n) => arena.alloc(n * 8, 16));
      marks.push(mark);
      return ptrs.map((p, i) => {
        const v = arena.f64(p, lengths[i]);
        v.fill(0);
        return v;
      });
    } catch (e) {
      arena.reset(mark);
      throw e;
    }
  },
  release() {
    const mark = marks.pop();
    if (mark !== undefined) arena.reset(mark);
  },
  ttm3: (X, I, J, K, C, R, T) => k.ttm3(ptr(X), I * J, K, ptr(C), R, ptr(T)),
  mttkrp1: (T, I, J, R, B, M) => k.mttkrp1(ptr(T), I, J, R, ptr(B), ptr(M)),
  mttkrp2: (T, I, J, R, A, M) => k.mttkrp2(ptr(T), I, J, R, ptr(A), ptr(M)),
  mttkrp3: (X, I, J, K, A, B, R, M, W) => k.mttkrp3(ptr(X), I, J, K, ptr(A), ptr(B), R, ptr(M), ptr(W)),
  gram: (A, n, R, G) => k.gram(ptr(A), n, R, ptr(G)),
  solveNormal: (V, R, M, n) => k.choleskySolve(ptr(V), R, ptr(M), n) === 1,
  updateFactor: (G1, G2, R, l2, V, Vbak, M, n, F, normalize) =>
    k.updateFactor(ptr(G1), ptr(G2), R, l2, ptr(V), ptr(Vbak), ptr(M), n, ptr(F), normalize ? 1 : 0) === 1,
  residualSq: (X, I, J, K, A, B, C, R, W, Ct) => k.residualSq(ptr(X), I, J, K, ptr(A), ptr(B), ptr(C), R, ptr(W), ptr(Ct)),
};

/** X_(n) X_(n)ᵀ (I_n × I_n) by the kernel: same result as `unfoldingGram` (tensor.ts), ~10x faster. */
export function unfoldingGramWasm(t: Tensor3, mode: 0 | 1 | 2): Matrix {
  checkTensor(t, 't');
  checkOneOf('unfoldingGramWasm', 'mode', mode, [0, 1, 2] as unknown as readonly string[]);
  const [I, J, K] = t.dims;
  const n = t.dims[mode];
  const mark = arena.mark();
  try {
    const xp = arena.alloc(t.data.length * 8);
    const gp = arena.alloc(n * n * 8);
    arena.f64(xp, t.data.length).set(t.data);
    if (mode === 0) k.gramRows(xp, I, J * K, gp, 0);
    else if (mode === 1) for (let i = 0; i < I; i++) k.gramRows(xp + i * J * K * 8, J, K, gp, i > 0 ? 1 : 0);
    else k.gram(xp, I * J, K, gp);
    return { rows: n, cols: n, data: arena.f64(gp, n * n).slice() };
  } finally {
    arena.reset(mark);
  }
}
