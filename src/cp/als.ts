/**
 * One CP-ALS sweep over arrays the caller allocated (through AlsOps.workspace): the same code runs
 * on the TypeScript reference and on the WASM kernel, and `bench/cp.ts` times exactly this.
 *
 * Convention (Kolda & Bader's cp_als): after their updates A and B get unit columns; C keeps the
 * scale, so [[A, B, C]] (weights 1) is always the current model.
 */
import { normalizeColumns, type AlsOps } from './ops.js';

export { normalizeColumns };

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
    this.update(GB, GC, I, A, true, 0, iter);
    // Mode 2: T = X ×₃ C is still valid (C has not changed): the shared half of the work.
    ops.mttkrp2(T, I, J, R, A, M);
    ops.gram(A, I, R, GA);
    this.update(GA, GC, J, B, true, 1, iter);
    // Mode 3: C keeps the scale.
    ops.mttkrp3(X, I, J, K, A, B, R, M, T); // T is free now: scratch for A ⊙ B
    ops.gram(B, J, R, GB);
    M3.set(M.subarray(0, K * R));
    this.update(GA, GB, K, C, false, 2, iter);
    this.haveT = false;
    ops.gram(C, K, R, GC);
    let inner = 0; // ⟨X, X̂⟩ = Σ M3 ∘ C
    for (let p = 0; p < K * R; p++) inner += M3[p] * C[p];
    return inner;
  }

  /**
   * F ← M (G1 ∘ G2 + l2·I)⁻¹ (unit columns if `normalize`); if that matrix is not positive
   * definite, retry with a growing ridge and report it through onRidge.
   */
  private update(G1: Float64Array, G2: Float64Array, n: number, F: Float64Array, normalize: boolean, mode: number, iter: number): void {
    const { ops, R } = this;
    const { V, Vbak, M } = this.b;
    if (ops.updateFactor(G1, G2, R, this.l2, V, Vbak, M, n, F, normalize)) return;
    const RR = R * R;
    let maxDiag = 0;
    for (let a = 0; a < R; a++) maxDiag = Math.max(maxDiag, Vbak[a * R + a]);
    for (let ridge = maxDiag * 1e-12; maxDiag > 0 && ridge <= maxDiag; ridge *= 100) {
      V.set(Vbak.subarray(0, RR));
      for (let a = 0; a < R; a++) V[a * R + a] += ridge;
      if (ops.solveNormal(V, R, M, n)) {
        if (normalize) normalizeColumns(M, n, R);
        F.set(M.subarray(0, n * R));
        this.onRidge?.(ridge, mode, iter);
        return;
      }
    }
    throw new Error(`CP-ALS: normal equations for mode ${mode + 1} are singular at sweep ${iter} even with a ridge (is a factor all zeros?)`);
  }
}
