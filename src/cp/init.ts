/**
 * Initial factors for CP-ALS.
 * - `random`: entries uniform on [0, 1) (as TensorLy).
 * - `svd`: HOSVD — the leading R left singular vectors of each unfolding X_(n) (eigenvectors of
 *   X_(n) X_(n)ᵀ); columns beyond I_n are random.
 * - `jennrich`: simultaneous diagonalisation (Jennrich / Harshman; Leurgans–Ross–Abel). For two
 *   modes p, q with I_p, I_q ≥ R and random combinations M_a = Σ_m w_a[m] X[.., m, ..] of the
 *   slices along the third mode, M_a = A_p diag(C_rᵀ w_a) A_qᵀ, so M_1 M_2⁺ = A_p D A_p⁺: its
 *   eigenvectors are the columns of A_p. We compress to R × R first (M̃_a = Uᵀ M_a V with U, V the
 *   leading singular vectors of the two unfoldings) so M̃_2 is invertible, read A_q off
 *   Ã_p⁻¹ M̃_1 = D_1 Ã_qᵀ, and get the third factor by one least-squares (ALS) step. Exact on
 *   noiseless tensors of rank R ≤ two of the dimensions with generic factors.
 */
import { Rng } from '../random/prng.js';
import { checkMatrix, matrix, randomMatrix, type Matrix } from './matrix.js';
import { checkTensor, contractMode, unfoldingGram, type Tensor3 } from './tensor.js';
import { cholesky, choleskySolveRows, inverse, realEigen, symmetricEigen } from './linalg.js';
import { tsOps, type AlsOps } from './ops.js';
import { checkFunction, checkInteger, checkObject, checkOneOf, fail } from '../validate/index.js';

export type Factors = [Matrix, Matrix, Matrix];
/** X_(n) X_(n)ᵀ: `unfoldingGram` (plain TS) or `unfoldingGramWasm` (kernel). */
export type GramOf = (t: Tensor3, mode: 0 | 1 | 2) => Matrix;

export function randomInit(t: Tensor3, R: number, rng: Rng): Factors {
  checkInitArgs('randomInit', t, R, rng);
  return [randomMatrix(t.dims[0], R, rng), randomMatrix(t.dims[1], R, rng), randomMatrix(t.dims[2], R, rng)];
}

/** Leading `R` left singular vectors of the mode-n unfolding (random columns past its rank bound I_n). */
export function leadingSingularVectors(t: Tensor3, mode: 0 | 1 | 2, R: number, rng: Rng, gramOf: GramOf = unfoldingGram): Matrix {
  const n = t.dims[mode];
  const { vectors } = symmetricEigen(gramOf(t, mode).data, n);
  const u = matrix(n, R);
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < R; r++) u.data[i * R + r] = r < n ? vectors[i * n + r] : rng.nextFloat();
  }
  return u;
}

export function svdInit(t: Tensor3, R: number, rng: Rng, gramOf: GramOf = unfoldingGram): Factors {
  checkInitArgs('svdInit', t, R, rng);
  checkFunction('svdInit', 'gramOf', gramOf);
  return [leadingSingularVectors(t, 0, R, rng, gramOf), leadingSingularVectors(t, 1, R, rng, gramOf), leadingSingularVectors(t, 2, R, rng, gramOf)];
}

/**
 * Mode-n MTTKRP, M[m, r] = Σ X[..] Π_{other modes} F[idx, r] (I_mode × R), on the given ops
 * (kernel or reference) through the ALS building blocks: modes 1 and 2 via T = X ×₃ C, mode 3 directly.
 */
export function mttkrpMode(t: Tensor3, mode: 0 | 1 | 2, factors: [Matrix | null, Matrix | null, Matrix | null], R: number, ops: AlsOps = tsOps): Matrix {
  checkTensor(t, 't');
  checkOneOf('mttkrpMode', 'mode', mode, [0, 1, 2] as unknown as readonly string[]);
  checkInteger('mttkrpMode', 'R', R, 1, 4096);
  if (!Array.isArray(factors) || factors.length !== 3) fail('mttkrpMode', `factors must be [A | null, B | null, C | null], got ${typeof factors}`);
  factors.forEach((f, n) => {
    if (n === mode || f === null) return;
    checkMatrix(f, `factors[${n}]`);
    if (f.rows !== t.dims[n] || f.cols !== R) fail('mttkrpMode', `factors[${n}] is ${f.rows}×${f.cols}, expected ${t.dims[n]}×${R}`);
  });
  checkObject('mttkrpMode', 'ops', ops);
  const [I, J, K] = t.dims;
  const n = t.dims[mode];
  const [X, A, B, C, T, M] = ops.workspace([I * J * K, I * R, J * R, K * R, I * J * R, n * R]);
  try {
    X.set(t.data);
    if (mode !== 0) A.set(factors[0]!.data);
    if (mode !== 1) B.set(factors[1]!.data);
    if (mode !== 2) C.set(factors[2]!.data);
    if (mode === 2) ops.mttkrp3(X, I, J, K, A, B, R, M, T);
    else {
      ops.ttm3(X, I, J, K, C, R, T);
      if (mode === 0) ops.mttkrp1(T, I, J, R, B, M);
      else ops.mttkrp2(T, I, J, R, A, M);
    }
    return matrix(n, R, M.slice(0, n * R));
  } finally {
    ops.release();
  }
}

/** One least-squares step for factor `mode` given the other two (ALS update), with a tiny ridge if needed. */
export function lsFactor(t: Tensor3, mode: 0 | 1 | 2, factors: [Matrix | null, Matrix | null, Matrix | null], R: number, ops: AlsOps = tsOps): Matrix {
  const m = mttkrpMode(t, mode, factors, R, ops);
  const v = new Float64Array(R * R).fill(1);
  for (let n = 0; n < 3; n++) {
    if (n === mode) continue;
    const f = factors[n]!;
    for (let a = 0; a < R; a++) for (let b = 0; b < R; b++) {
      let s = 0;
      for (let i = 0; i < f.rows; i++) s += f.data[i * R + a] * f.data[i * R + b];
      v[a * R + b] *= s;
    }
  }
  let ridge = 0;
  let maxDiag = 0;
  for (let a = 0; a < R; a++) maxDiag = Math.max(maxDiag, v[a * R + a]);
  for (;;) {
    const w = v.slice();
    for (let a = 0; a < R; a++) w[a * R + a] += ridge;
    if (cholesky(w, R)) {
      choleskySolveRows(w, R, m.data, m.rows);
      return m;
    }
    ridge = ridge === 0 ? maxDiag * 1e-12 : ridge * 100;
    if (ridge > maxDiag || !(maxDiag > 0)) return m;
  }
}

export interface JennrichResult {
  factors: Factors | null;
  reason?: string;
}

export function jennrichInit(t: Tensor3, R: number, rng: Rng, gramOf: GramOf = unfoldingGram, ops: AlsOps = tsOps, attempts = 3): JennrichResult {
  checkInitArgs('jennrichInit', t, R, rng);
  checkFunction('jennrichInit', 'gramOf', gramOf);
  checkObject('jennrichInit', 'ops', ops);
  checkInteger('jennrichInit', 'attempts', attempts, 1, 100);
  const dims = t.dims;
  // The two largest modes (ties: lower index first) must have at least R entries each.
  const order = ([0, 1, 2] as const).slice().sort((a, b) => dims[b] - dims[a] || a - b);
  const [p, q] = [Math.min(order[0], order[1]), Math.max(order[0], order[1])] as [0 | 1 | 2, 0 | 1 | 2];
  const r = (3 - p - q) as 0 | 1 | 2;
  if (dims[p] < R || dims[q] < R) {
    return { factors: null, reason: `rank ${R} exceeds two of the dimensions [${dims.join(', ')}]` };
  }
  // With one slice along the third mode both "random combinations" are multiples of the same
  // matrix: M1 M2⁻¹ = c·I, every basis is an eigenbasis, and the result would be arbitrary.
  if (R > 1 && dims[r] < 2) {
    return { factors: null, reason: `mode ${r + 1} has a single slice (dims [${dims.join(', ')}]): simultaneous diagonalisation needs two` };
  }
  const U = leadingSingularVectors(t, p, R, rng, gramOf);
  const V = leadingSingularVectors(t, q, R, rng, gramOf);
  const compress = (M: Matrix): Float64Array => {
    // Uᵀ M V : (R × I_p)(I_p × I_q)(I_q × R)
    const MV = new Float64Array(M.rows * R);
    for (let i = 0; i < M.rows; i++) for (let j = 0; j < M.cols; j++) {
      const x = M.data[i * M.cols + j];
      if (x !== 0) for (let s = 0; s < R; s++) MV[i * R + s] += x * V.data[j * R + s];
    }
    const out = new Float64Array(R * R);
    for (let i = 0; i < M.rows; i++) for (let a = 0; a < R; a++) {
      const u = U.data[i * R + a];
      for (let s = 0; s < R; s++) out[a * R + s] += u * MV[i * R + s];
    }
    return out;
  };
  let reason = 'no attempt';
  for (let attempt = 0; attempt < attempts; attempt++) {
    const w1 = Float64Array.from({ length: dims[r] }, () => rng.nextNormal());
    const w2 = Float64Array.from({ length: dims[r] }, () => rng.nextNormal());
    const M1 = compress(contractMode(t, r, w1));
    const M2 = compress(contractMode(t, r, w2));
    const inv2 = inverse(M2, R);
    if (!inv2) { reason = 'compressed slice combination is singular (rank lower than requested?)'; continue; }
    const E = new Float64Array(R * R);
    for (let i = 0; i < R; i++) for (let k = 0; k < R; k++) {
      const x = M1[i * R + k];
      for (let j = 0; j < R; j++) E[i * R + j] += x * inv2[k * R + j];
    }
    const eig = realEigen(E, R);
    if (!eig) { reason = 'complex eigenvalues in M1·M2⁻¹ (noise or rank above the true rank)'; continue; }
    // Eigenvectors are only determined for distinct eigenvalues (the C factor's Kruskal rank ≥ 2).
    let scale = 0, gap = Infinity;
    for (let a = 0; a < R; a++) {
      scale = Math.max(scale, Math.abs(eig.values[a]));
      for (let b = 0; b < a; b++) gap = Math.min(gap, Math.abs(eig.values[a] - eig.values[b]));
    }
    if (R > 1 && !(gap > 1e-9 * scale)) { reason = 'repeated eigenvalues in M1·M2⁻¹ (two components share a column of the third factor, up to scale)'; continue; }
    const At = eig.vectors; // R × R, columns = Ã_p
    const AtInv = inverse(At, R);
    if (!AtInv) { reason = 'eigenvectors are linearly dependent (repeated eigenvalues)'; continue; }
    // Ã_q ∝ (Ã_p⁻¹ M̃_1)ᵀ
    const Bt = new Float64Array(R * R);
    for (let a = 0; a < R; a++) for (let k = 0; k < R; k++) {
      const x = AtInv[a * R + k];
      for (let s = 0; s < R; s++) Bt[a * R + s] += x * M1[k * R + s];
    }
    const Fp = matrix(dims[p], R);
    for (let i = 0; i < dims[p]; i++) for (let a = 0; a < R; a++) {
      let s = 0;
      for (let c = 0; c < R; c++) s += U.data[i * R + c] * At[c * R + a];
      Fp.data[i * R + a] = s;
    }
    const Fq = matrix(dims[q], R);
    for (let j = 0; j < dims[q]; j++) for (let a = 0; a < R; a++) {
      let s = 0;
      for (let c = 0; c < R; c++) s += V.data[j * R + c] * Bt[a * R + c];
      Fq.data[j * R + a] = s;
    }
    const partial: [Matrix | null, Matrix | null, Matrix | null] = [null, null, null];
    partial[p] = Fp;
    partial[q] = Fq;
    partial[r] = lsFactor(t, r, partial, R, ops);
    return { factors: partial as Factors };
  }
  return { factors: null, reason };
}

/** The arguments every init shares: a valid tensor, a rank within the CP bound, an Rng. */
function checkInitArgs(where: string, t: Tensor3, R: number, rng: Rng): void {
  checkTensor(t, 't');
  const [I, J, K] = t.dims;
  checkInteger(where, 'R', R, 1, Math.min(I * J, I * K, J * K));
  if (!(rng instanceof Rng)) fail(where, `rng must be an Rng (new Rng(seed)), got ${rng === null ? 'null' : typeof rng}`);
}
