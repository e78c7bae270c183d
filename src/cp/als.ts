/**
 * One CP-ALS sweep over arrays the caller allocated (through AlsOps.workspace): the same code runs
 * on the TypeScript reference and on the WASM kernel, and `bench/cp.ts` times exactly this.
 *
 * Convention (Kolda & Bader's cp_als): after their updates A and B get unit columns; C keeps the
 * scale, so [[A, B, C]] (weights 1) is always the current model.
 */
import type { AlsOps } from './ops.js';

export interface AlsBuffers {
  X: Float64Array; // (IJ) × K
  A: Float64Array; // I × R
  B: Float64Array; // J × R
  C: Float64Array; // K × R
  T: Float64Array; // (IJ) × R, X ×₃ C
  M: Float64Array; // max(I, J, K) × R, MTTKRP output, solved in place
  M3: Float64Array; // K × R, mode-3 MTTKRP kept for ⟨X, X̂⟩
  GA: Float64Array; // R × R Gram matrices
  GB: Float64Array;
  GC: Float64Array;
  V: Float64Array; // R × R normal-equation matrix (destroyed by the solve)
  Vbak: Float64Array; // R × R copy of V for the ridge fallback
}

/** Lengths of the AlsBuffers arrays, in the order above. */
export function alsBufferLengths(dims: [number, number, number], R: number): number[] {
  const [I, J, K] = dims;
  const RR = R * R;
  return [I * J * K, I * R, J * R, K * R, I * J * R, Math.max(I, J, K) * R, K * R, RR, RR, RR, RR, RR];
}

export function alsBuffers(arrays: Float64Array[]): AlsBuffers {
  const [X, A, B, C, T, M, M3, GA, GB, GC, V, Vbak] = arrays;
  return { X, A, B, C, T, M, M3, GA, GB, GC, V, Vbak };
}

export class AlsSweep {
  /** True when T = X ×₃ C for the current C (set by a caller that computed it, e.g. line search). */
  haveT = false;
  /** Called when a normal-equation matrix needed a ridge to be positive definite. */
  onRidge: ((ridge: number, mode: number, iter: number) => void) | null = null;

  constructor(
    readonly ops: AlsOps,
    readonly dims: [number, number, number],
    readonly R: number,
    readonly l2: number,
    public b: AlsBuffers,
  ) {}

  /**
   * Updates A, B, C in turn; returns ⟨X, X̂⟩ for the new model and leaves GA, GB, GC holding its
   * Gram matrices (so ‖X̂‖² = Σ GA ∘ GB ∘ GC).
   */
  sweep(iter = 0): number {
    const { ops, R } = this;
    const [I, J, K] = this.dims;
    const { X, A, B, C, T, M, M3, GA, GB, GC } = this.b;
    // Mode 1: A ← X_(1)(C ⊙ B) (BᵀB ∘ CᵀC)⁻¹, then unit columns (the scale is re-fitted by B and C).
    if (!this.haveT) ops.ttm3(X, I, J, K, C, R, T);
    ops.mttkrp1(T, I, J, R, B, M);
    ops.gram(B, J, R, GB);
    ops.gram(C, K, R, GC);
    this.hadamard(GB, GC);
    this.solve(I, 0, iter);
    A.set(M.subarray(0, I * R));
    normalizeColumns(A, I, R);
    // Mode 2: T = X ×₃ C is still valid (C has not changed): the shared half of the work.
    ops.mttkrp2(T, I, J, R, A, M);
    ops.gram(A, I, R, GA);
    this.hadamard(GA, GC);
    this.solve(J, 1, iter);
    B.set(M.subarray(0, J * R));
    normalizeColumns(B, J, R);
    // Mode 3: C keeps the scale.
    ops.mttkrp3(X, I, J, K, A, B, R, M, T); // T is free now: scratch for A ⊙ B
    ops.gram(B, J, R, GB);
    this.hadamard(GA, GB);
    M3.set(M.subarray(0, K * R));
    this.solve(K, 2, iter);
    C.set(M.subarray(0, K * R));
    this.haveT = false;
    ops.gram(C, K, R, GC);
    let inner = 0; // ⟨X, X̂⟩ = Σ M3 ∘ C
    for (let p = 0; p < K * R; p++) inner += M3[p] * C[p];
    return inner;
  }

  private hadamard(G1: Float64Array, G2: Float64Array): void {
    const V = this.b.V;
    const RR = this.R * this.R;
    for (let p = 0; p < RR; p++) V[p] = G1[p] * G2[p];
    if (this.l2 > 0) for (let a = 0; a < this.R; a++) V[a * this.R + a] += this.l2;
  }

  /** M := M V⁻¹ by Cholesky; if V is not positive definite, retry with a growing ridge. */
  private solve(n: number, mode: number, iter: number): void {
    const { ops, R } = this;
    const { V, Vbak, M } = this.b;
    const RR = R * R;
    Vbak.set(V.subarray(0, RR));
    if (ops.solveNormal(V, R, M, n)) return;
    let maxDiag = 0;
    for (let a = 0; a < R; a++) maxDiag = Math.max(maxDiag, Vbak[a * R + a]);
    for (let ridge = maxDiag * 1e-12; maxDiag > 0 && ridge <= maxDiag; ridge *= 100) {
      V.set(Vbak.subarray(0, RR));
      for (let a = 0; a < R; a++) V[a * R + a] += ridge;
      if (ops.solveNormal(V, R, M, n)) {
        this.onRidge?.(ridge, mode, iter);
        return;
      }
    }
    throw new Error(`CP-ALS: normal equations for mode ${mode + 1} are singular at sweep ${iter} even with a ridge (is a factor all zeros?)`);
  }
}

export function normalizeColumns(F: Float64Array, n: number, R: number): void {
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += F[i * R + r] * F[i * R + r];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let i = 0; i < n; i++) F[i * R + r] *= inv;
    }
  }
}
