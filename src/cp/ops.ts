/**
 * The heavy steps of one CP-ALS sweep, behind one interface so the same driver runs on the plain
 * TypeScript reference (`tsOps`, here) or the WASM SIMD kernel (`wasmOps`, kernel.ts).
 *
 * Layouts (all row-major Float64Array): X is (IJ) × K (`X[(i*J+j)*K + k]`); factors A (I × R),
 * B (J × R), C (K × R); T = X ×₃ C is (IJ) × R. One sweep costs about 4·IJKR flops:
 *   T  = X ×₃ C                         2·IJKR   (shared by the mode-1 and mode-2 updates)
 *   M1[i,r] = Σ_j T[i,j,r] B[j,r]       2·IJR
 *   M2[j,r] = Σ_i T[i,j,r] A[i,r]       2·IJR    (A already updated: C is unchanged, T still valid)
 *   M3[k,r] = Σ_ij X[i,j,k] A[i,r]B[j,r]  2·IJKR   (W = A ⊙ B in T's buffer, then M3 = X_(3)ᵀ W)
 */
export interface AlsOps {
  readonly name: 'ts' | 'wasm';
  /** Zeroed arrays of the given lengths, valid until `release()`; allocate everything at once. */
  workspace(lengths: number[]): Float64Array[];
  release(): void;
  /** T = X ×₃ C. */
  ttm3(X: Float64Array, I: number, J: number, K: number, C: Float64Array, R: number, T: Float64Array): void;
  /** M1 (I × R) from T and B. */
  mttkrp1(T: Float64Array, I: number, J: number, R: number, B: Float64Array, M: Float64Array): void;
  /** M2 (J × R) from T and A. */
  mttkrp2(T: Float64Array, I: number, J: number, R: number, A: Float64Array, M: Float64Array): void;
  /** M3 (K × R) = X_(3) (A ⊙ B); W is (IJ) × R scratch (the kernel writes A ⊙ B there; the T buffer is free by then). */
  mttkrp3(X: Float64Array, I: number, J: number, K: number, A: Float64Array, B: Float64Array, R: number, M: Float64Array, W: Float64Array): void;
  /** G = AᵀA (R × R) for an n × R factor. */
  gram(A: Float64Array, n: number, R: number, G: Float64Array): void;
  /**
   * One factor update: V = G1 ∘ G2 + l2·I (copied to Vbak), then F = M V⁻¹ by Cholesky (M also ends
   * up holding F), unit columns if `normalize`. False, with M and F untouched, if V is not PD.
   */
  updateFactor(G1: Float64Array, G2: Float64Array, R: number, l2: number, V: Float64Array, Vbak: Float64Array, M: Float64Array, n: number, F: Float64Array, normalize: boolean): boolean;
  /** In place: M := M V⁻¹ for symmetric V (R × R, overwritten by its Cholesky factor). False if V is not PD. */
  solveNormal(V: Float64Array, R: number, M: Float64Array, n: number): boolean;
  /** ‖X − [[A, B, C]]‖² entry by entry (no cancellation); W ((IJ) × R) and Ct (K × R) are scratch. */
  residualSq(X: Float64Array, I: number, J: number, K: number, A: Float64Array, B: Float64Array, C: Float64Array, R: number, W: Float64Array, Ct: Float64Array): number;
}

import { cholesky, choleskySolveRows } from './linalg.js';

/** Scales each column of the n × R matrix F to unit norm (zero columns stay zero). */
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

export function ttm3Ref(X: Float64Array, I: number, J: number, K: number, C: Float64Array, R: number, T: Float64Array): void {
  const IJ = I * J;
  for (let p = 0; p < IJ; p++) {
    const xo = p * K, to = p * R;
    for (let r = 0; r < R; r++) T[to + r] = 0;
    for (let k = 0; k < K; k++) {
      const x = X[xo + k];
      const co = k * R;
      for (let r = 0; r < R; r++) T[to + r] += x * C[co + r];
    }
  }
}

export function mttkrp1Ref(T: Float64Array, I: number, J: number, R: number, B: Float64Array, M: Float64Array): void {
  M.fill(0, 0, I * R);
  for (let i = 0; i < I; i++) {
    const mo = i * R;
    for (let j = 0; j < J; j++) {
      const to = (i * J + j) * R, bo = j * R;
      for (let r = 0; r < R; r++) M[mo + r] += T[to + r] * B[bo + r];
    }
  }
}

export function mttkrp2Ref(T: Float64Array, I: number, J: number, R: number, A: Float64Array, M: Float64Array): void {
  M.fill(0, 0, J * R);
  for (let i = 0; i < I; i++) {
    const ao = i * R;
    for (let j = 0; j < J; j++) {
      const to = (i * J + j) * R, mo = j * R;
      for (let r = 0; r < R; r++) M[mo + r] += T[to + r] * A[ao + r];
    }
  }
}

export function mttkrp3Ref(X: Float64Array, I: number, J: number, K: number, A: Float64Array, B: Float64Array, R: number, M: Float64Array): void {
  M.fill(0, 0, K * R);
  const ab = new Float64Array(R);
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < J; j++) {
      for (let r = 0; r < R; r++) ab[r] = A[i * R + r] * B[j * R + r];
      const xo = (i * J + j) * K;
      for (let k = 0; k < K; k++) {
        const x = X[xo + k];
        const mo = k * R;
        for (let r = 0; r < R; r++) M[mo + r] += x * ab[r];
      }
    }
  }
}

export function gramRef(A: Float64Array, n: number, R: number, G: Float64Array): void {
  G.fill(0, 0, R * R);
  for (let i = 0; i < n; i++) {
    const o = i * R;
    for (let a = 0; a < R; a++) {
      const x = A[o + a];
      for (let b = a; b < R; b++) G[a * R + b] += x * A[o + b];
    }
  }
  for (let a = 0; a < R; a++) for (let b = 0; b < a; b++) G[a * R + b] = G[b * R + a];
}

export function residualSqRef(X: Float64Array, I: number, J: number, K: number, A: Float64Array, B: Float64Array, C: Float64Array, R: number): number {
  const ab = new Float64Array(R);
  let s = 0;
  for (let i = 0; i < I; i++) {
    for (let j = 0; j < J; j++) {
      for (let r = 0; r < R; r++) ab[r] = A[i * R + r] * B[j * R + r];
      const xo = (i * J + j) * K;
      for (let k = 0; k < K; k++) {
        let v = 0;
        for (let r = 0; r < R; r++) v += ab[r] * C[k * R + r];
        const d = X[xo + k] - v;
        s += d * d;
      }
    }
  }
  return s;
}

/** The plain TypeScript reference: what the kernel must agree with. */
export const tsOps: AlsOps = {
  name: 'ts',
  workspace: (lengths) => lengths.map((n) => new Float64Array(n)),
  release() {},
  ttm3: ttm3Ref,
  mttkrp1: mttkrp1Ref,
  mttkrp2: mttkrp2Ref,
  mttkrp3: mttkrp3Ref,
  gram: gramRef,
  solveNormal(V, R, M, n) {
    if (!cholesky(V, R)) return false;
    choleskySolveRows(V, R, M, n);
    return true;
  },
  updateFactor(G1, G2, R, l2, V, Vbak, M, n, F, normalize) {
    const RR = R * R;
    for (let p = 0; p < RR; p++) V[p] = G1[p] * G2[p];
    if (l2 > 0) for (let a = 0; a < R; a++) V[a * R + a] += l2;
    Vbak.set(V.subarray(0, RR));
    if (!cholesky(V, R)) return false;
    choleskySolveRows(V, R, M, n);
    if (normalize) normalizeColumns(M, n, R);
    F.set(M.subarray(0, n * R));
    return true;
  },
  residualSq: residualSqRef,
};
