/**
 * Non-negative CP decomposition by hierarchical alternating least squares (HALS; Cichocki & Phan
 * 2009), as TensorLy's `non_negative_parafac_hals`: X ≈ [[A, B, C]] with A, B, C ≥ 0.
 *
 * Per mode, with M the MTTKRP and V the Hadamard product of the other two Gram matrices (exactly
 * the quantities of an unconstrained ALS sweep, ops.ts), each column is the exact minimiser of the
 * least-squares error over that column alone subject to ≥ 0:
 *     f_r ← max(ε, f_r + (M_r − F V_r) / V_rr),
 * so the error never increases. After A (then B) is updated its columns are scaled to unit norm
 * and the scale moved into B (then C): the model is unchanged and C carries the weights, as in
 * cp.ts. ε = 1e-16 keeps a column from dying at exactly 0 (a dead column stays dead).
 *
 * Why: when X holds probabilities (an HMM's triplet tensor, src/hmm/recover.ts) the true factors
 * are non-negative, and a noisy X is often fitted better by an unconstrained decomposition with
 * negative entries, cancelling components and no resemblance to the truth. The constraint removes
 * those solutions.
 */
import { Rng } from '../random/prng.js';
import { checkMatrix, cloneMatrix, matrix, type Matrix } from './matrix.js';
import { checkTensor, norm, type Tensor3 } from './tensor.js';
import { maxRank, runResult, type CPResult } from './cp.js';
import type { Factors } from './init.js';
import { tsOps, type AlsOps } from './ops.js';
import { wasmOps } from './kernel.js';

export interface NonnegCPOptions {
  /** Initial factors (negative entries are replaced by their absolute values) or 'random' (uniform [0,1)). Default 'random'. */
  init?: 'random' | Factors;
  /** Maximum HALS sweeps per run. Default 2000. */
  maxIter?: number;
  /** Stop when |fit_t − fit_{t−1}| < tol. Default 1e-12. */
  tol?: number;
  /** Independent runs (the first from `init`, the rest from random factors); the lowest error wins. Default 1. */
  restarts?: number;
  seed?: number;
  backend?: 'wasm' | 'ts';
}

const EPS = 1e-16;

export function cpNonneg(tensor: Tensor3, rank: number, options: NonnegCPOptions = {}): CPResult {
  checkTensor(tensor);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  const bound = maxRank(tensor.dims);
  if (rank > bound) throw new RangeError(`rank ${rank} is larger than the bound min(IJ, IK, JK) = ${bound} for a ${tensor.dims.join('x')} tensor`);
  const maxIter = options.maxIter ?? 2000;
  const tol = options.tol ?? 1e-12;
  const restarts = options.restarts ?? 1;
  const seed = options.seed ?? 0;
  const backend = options.backend ?? 'wasm';
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new RangeError(`maxIter must be a positive integer, got ${maxIter}`);
  if (!(tol >= 0) || !Number.isFinite(tol)) throw new RangeError(`tol must be a finite number >= 0, got ${tol}`);
  if (!Number.isInteger(restarts) || restarts < 1) throw new RangeError(`restarts must be a positive integer, got ${restarts}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (backend !== 'wasm' && backend !== 'ts') throw new RangeError(`backend must be 'wasm' or 'ts', got ${JSON.stringify(backend)}`);
  for (let i = 0; i < tensor.data.length; i++) {
    if (tensor.data[i] < 0) throw new RangeError(`non-negative CP needs a non-negative tensor; entry ${i} is ${tensor.data[i]}`);
  }
  const init = options.init ?? 'random';
  if (init !== 'random') {
    if (!Array.isArray(init) || init.length !== 3) throw new RangeError("init must be 'random' or an array of three factor matrices");
    init.forEach((f, n) => {
      checkMatrix(f, `init[${n}]`);
      if (f.rows !== tensor.dims[n] || f.cols !== rank) throw new RangeError(`init[${n}] is ${f.rows}x${f.cols}, expected ${tensor.dims[n]}x${rank}`);
    });
  }
  const normX = norm(tensor);
  if (normX === 0) throw new RangeError('tensor is identically zero: every CP decomposition has zero weights');
  const unit: Tensor3 = { dims: tensor.dims, data: tensor.data.map((x) => x / normX) };
  const ops = backend === 'wasm' ? wasmOps : tsOps;
  let best: CPResult | null = null;
  for (let run = 0; run < restarts; run++) {
    const rng = new Rng(seed).fork(run);
    let factors: Factors;
    let initName: string;
    if (run === 0 && init !== 'random') {
      // The given factors model `tensor`; the runs fit tensor / ‖tensor‖, so C is scaled alike.
      factors = init.map((f, n) => {
        const c = cloneMatrix(f);
        const s = n === 2 ? 1 / normX : 1;
        for (let i = 0; i < c.data.length; i++) c.data[i] = Math.max(Math.abs(c.data[i]) * s, EPS);
        return c;
      }) as Factors;
      initName = 'given';
    } else {
      factors = tensor.dims.map((n) => matrix(n, rank, Float64Array.from({ length: n * rank }, () => rng.nextFloat() + EPS))) as Factors;
      initName = 'random';
    }
    const result = halsRun(unit, rank, factors, normX, maxIter, tol, ops);
    result.init = initName;
    result.restart = run;
    if (!best || result.relError < best.relError) best = result;
  }
  return best!;
}

/** One column-wise non-negative update of F (n × R) from M (n × R) and V (R × R). */
function halsUpdate(F: Float64Array, M: Float64Array, V: Float64Array, n: number, R: number): void {
  for (let r = 0; r < R; r++) {
    const vrr = V[r * R + r];
    if (!(vrr > 0)) continue; // another factor's column is zero: this column is undetermined
    for (let i = 0; i < n; i++) {
      let fv = 0;
      for (let s = 0; s < R; s++) fv += F[i * R + s] * V[s * R + r];
      const x = F[i * R + r] + (M[i * R + r] - fv) / vrr;
      F[i * R + r] = x > EPS ? x : EPS;
    }
  }
}

/** Unit-norm columns for F; the scale moves into G (the model [[..F.., ..G..]] is unchanged). */
function moveScale(F: Float64Array, n: number, G: Float64Array, m: number, R: number): void {
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += F[i * R + r] * F[i * R + r];
    const nr = Math.sqrt(s);
    if (!(nr > 0)) continue;
    for (let i = 0; i < n; i++) F[i * R + r] /= nr;
    for (let i = 0; i < m; i++) G[i * R + r] *= nr;
  }
}

function halsRun(t: Tensor3, R: number, init: Factors, normX: number, maxIter: number, tol: number, ops: AlsOps): CPResult {
  const [I, J, K] = t.dims;
  const RR = R * R;
  const L = Math.max(I, J, K) * R;
  const [X, A, B, C, T, M, M3, GA, GB, GC, V] = ops.workspace([I * J * K, I * R, J * R, K * R, I * J * R, L, K * R, RR, RR, RR, RR]);
  try {
    X.set(t.data);
    A.set(init[0].data);
    B.set(init[1].data);
    C.set(init[2].data);
    // Balance the initial scales: A and B unit columns, C carries the weights.
    moveScale(A, I, C, K, R);
    moveScale(B, J, C, K, R);
    const history: number[] = [];
    let converged = false;
    let iterations = 0;
    let relErr = Infinity;
    for (let it = 1; it <= maxIter; it++) {
      iterations = it;
      // Mode 1
      ops.ttm3(X, I, J, K, C, R, T);
      ops.mttkrp1(T, I, J, R, B, M);
      ops.gram(B, J, R, GB);
      ops.gram(C, K, R, GC);
      for (let p = 0; p < RR; p++) V[p] = GB[p] * GC[p];
      halsUpdate(A, M, V, I, R);
      moveScale(A, I, C, K, R);
      // Mode 2 (C changed only by a column scaling: recompute T)
      ops.ttm3(X, I, J, K, C, R, T);
      ops.mttkrp2(T, I, J, R, A, M);
      ops.gram(A, I, R, GA);
      ops.gram(C, K, R, GC);
      for (let p = 0; p < RR; p++) V[p] = GA[p] * GC[p];
      halsUpdate(B, M, V, J, R);
      moveScale(B, J, C, K, R);
      // Mode 3
      ops.mttkrp3(X, I, J, K, A, B, R, M, T);
      M3.set(M.subarray(0, K * R));
      ops.gram(B, J, R, GB);
      for (let p = 0; p < RR; p++) V[p] = GA[p] * GB[p];
      halsUpdate(C, M3, V, K, R);
      ops.gram(C, K, R, GC);
      let inner = 0, xhat2 = 0;
      for (let p = 0; p < K * R; p++) inner += M3[p] * C[p];
      for (let p = 0; p < RR; p++) xhat2 += GA[p] * GB[p] * GC[p];
      relErr = Math.sqrt(Math.max(1 - 2 * inner + xhat2, 0));
      if (relErr < 1e-5) relErr = Math.sqrt(ops.residualSq(X, I, J, K, A, B, C, R, T, M));
      history.push(1 - relErr);
      if (relErr < 1e-14 || (it > 1 && Math.abs(history[it - 2] - history[it - 1]) < tol)) {
        converged = true;
        break;
      }
    }
    relErr = Math.sqrt(ops.residualSq(X, I, J, K, A, B, C, R, T, M));
    history[history.length - 1] = 1 - relErr;
    return runResult([A, B, C], t.dims, R, normX, { relErr, iterations, history, converged, backend: ops.name, linesearchAccepted: 0, notes: [] });
  } finally {
    ops.release();
  }
}
