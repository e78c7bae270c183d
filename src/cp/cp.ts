/**
 * CP decomposition of a dense 3-way tensor by alternating least squares (CP-ALS), in the spirit of
 * TensorLy's `parafac`: X ≈ [[w; A, B, C]] = Σ_r w_r a_r ∘ b_r ∘ c_r.
 *
 * Each sweep updates A, B, C in turn by the normal equations F ← MTTKRP · V⁻¹ with
 * V = (Gram of one other factor) ∘ (Gram of the other) (R × R, Hadamard product) + l2·I, solved by
 * Cholesky. The relative error comes from quantities at hand,
 *   ‖X − X̂‖² = ‖X‖² − 2⟨X, X̂⟩ + ‖X̂‖²,  ⟨X, X̂⟩ = Σ M3 ∘ C,  ‖X̂‖² = Σ (AᵀA ∘ BᵀB ∘ CᵀC),
 * never by rebuilding X̂. That formula cancels catastrophically once the relative error nears
 * √ε ≈ 1e-8, so below 1e-5 we switch to the exact residual (one pass, half a sweep's flops).
 *
 * Options follow TensorLy: `init`, `maxIter`, `tol` (on the change in fit), `l2`, `linesearch`
 * (Bro's extrapolation, TensorLy's schedule), plus `restarts` and `seed`.
 */
import { Rng } from '../random/prng.js';
import { pow } from '../random/detmath.js';
import { checkMatrix, cloneMatrix, matrix, type Matrix } from './matrix.js';
import { checkTensor, norm, type Tensor3 } from './tensor.js';
import { jennrichInit, randomInit, svdInit, type Factors } from './init.js';
import { tsOps, type AlsOps } from './ops.js';
import { unfoldingGramWasm, wasmOps } from './kernel.js';
import { unfoldingGram } from './tensor.js';
import { AlsSweep, alsBufferLengths, alsBuffers } from './als.js';
import { checkKeys, checkNumbers, checkOptions, optionKeys } from '../validate/index.js';

export type CPInit = 'random' | 'svd' | 'jennrich';

export interface CPOptions {
  /** Initial factors: 'random' (uniform [0,1)), 'svd' (HOSVD), 'jennrich', or explicit [A, B, C]. Default 'svd'. */
  init?: CPInit | Factors;
  /** Maximum number of ALS sweeps per run. Default 500. */
  maxIter?: number;
  /** Stop when |fit_t − fit_{t−1}| < tol. Default 1e-10. */
  tol?: number;
  /** Ridge (l2) regularisation added to the diagonal of each normal-equation matrix. Default 0. */
  l2?: number;
  /** Bro's line-search extrapolation on even sweeps (as TensorLy). Default false. */
  linesearch?: boolean;
  /** Independent runs; the one with the lowest error is returned. Default 1. */
  restarts?: number;
  /** Seed for every random choice (random init, Jennrich's slice combinations, restarts). Default 0. */
  seed?: number;
  /** 'wasm' (SIMD kernel, default) or 'ts' (plain TypeScript reference). */
  backend?: 'wasm' | 'ts';
  /** Called after every sweep (progress); returning false stops this run (converged stays false). */
  onIteration?: (info: { restart: number; iteration: number; fit: number }) => boolean | void;
}

export interface CPResult {
  /** Component weights w_r ≥ 0, sorted descending; factor columns have unit norm. */
  weights: Float64Array;
  factors: [Matrix, Matrix, Matrix];
  /** 1 − relError. */
  fit: number;
  /** ‖X − X̂‖ / ‖X‖ (exact residual). */
  relError: number;
  /** ALS sweeps of the returned run. */
  iterations: number;
  /** Fit after each sweep of the returned run. */
  history: number[];
  converged: boolean;
  /** The init the returned run actually used ('jennrich' may have fallen back to 'svd'). */
  init: string;
  /** Which restart (0-based) was returned. */
  restart: number;
  backend: 'wasm' | 'ts';
  /** Line-search steps accepted in the returned run. */
  linesearchAccepted: number;
  /** Anything the user should know: fallbacks, added ridge. */
  notes: string[];
}

/** The largest rank we accept: a 3-way tensor's CP rank never exceeds min(IJ, IK, JK). */
export function maxRank(dims: [number, number, number]): number {
  checkNumbers('maxRank', 'dims', dims, { length: 3, integer: true, min: 1 });
  const [I, J, K] = dims;
  return Math.min(I * J, I * K, J * K);
}

const INITS: CPInit[] = ['random', 'svd', 'jennrich'];

/** The keys of CPOptions (a misspelled one is refused, not ignored). */
export const CP_OPTION_KEYS = optionKeys<CPOptions>({ init: true, maxIter: true, tol: true, l2: true, linesearch: true, restarts: true, seed: true, backend: true, onIteration: true });

export function cp(tensor: Tensor3, rank: number, options: CPOptions = {}): CPResult {
  checkTensor(tensor);
  checkKeys('cp', checkOptions('cp', options), CP_OPTION_KEYS);
  const bound = maxRank(tensor.dims);
  if (!Number.isInteger(rank) || rank < 1) throw new RangeError(`rank must be a positive integer, got ${rank}`);
  if (rank > bound) {
    throw new RangeError(`rank ${rank} is larger than the bound min(IJ, IK, JK) = ${bound} for a ${tensor.dims.join('x')} tensor`);
  }
  const opts = {
    init: options.init ?? 'svd',
    maxIter: options.maxIter ?? 500,
    tol: options.tol ?? 1e-10,
    l2: options.l2 ?? 0,
    linesearch: options.linesearch ?? false,
    restarts: options.restarts ?? 1,
    seed: options.seed ?? 0,
    backend: options.backend ?? 'wasm',
    onIteration: options.onIteration,
  };
  if (!Number.isInteger(opts.maxIter) || opts.maxIter < 1) throw new RangeError(`maxIter must be a positive integer, got ${opts.maxIter}`);
  if (!(opts.tol >= 0) || !Number.isFinite(opts.tol)) throw new RangeError(`tol must be a finite number >= 0, got ${opts.tol}`);
  if (!(opts.l2 >= 0) || !Number.isFinite(opts.l2)) throw new RangeError(`l2 must be a finite number >= 0, got ${opts.l2}`);
  if (!Number.isInteger(opts.restarts) || opts.restarts < 1) throw new RangeError(`restarts must be a positive integer, got ${opts.restarts}`);
  if (!Number.isFinite(opts.seed)) throw new RangeError(`seed must be a finite number, got ${opts.seed}`);
  if (opts.onIteration !== undefined && typeof opts.onIteration !== 'function') throw new TypeError('onIteration must be a function');
  if (opts.backend !== 'wasm' && opts.backend !== 'ts') throw new RangeError(`backend must be 'wasm' or 'ts', got ${JSON.stringify(opts.backend)}`);
  if (typeof opts.init === 'string') {
    if (!INITS.includes(opts.init)) throw new RangeError(`init must be one of ${INITS.join(', ')} or [A, B, C], got ${JSON.stringify(opts.init)}`);
  } else {
    if (!Array.isArray(opts.init) || opts.init.length !== 3) throw new RangeError('init must be a method name or an array of three factor matrices');
    opts.init.forEach((f, n) => {
      checkMatrix(f, `init[${n}]`);
      if (f.rows !== tensor.dims[n] || f.cols !== rank) {
        throw new RangeError(`init[${n}] is ${f.rows}x${f.cols}, expected ${tensor.dims[n]}x${rank}`);
      }
    });
  }
  const normX = norm(tensor);
  if (normX === 0) throw new RangeError('tensor is identically zero: every CP decomposition has zero weights');
  // Inits and ALS work on X / ‖X‖: every error is relative anyway, and no Gram matrix or ‖X‖² can
  // overflow or underflow; the weights get ‖X‖ back at the end.
  const unit: Tensor3 = { dims: tensor.dims, data: tensor.data.map((x) => x / normX) };
  const ops = opts.backend === 'wasm' ? wasmOps : tsOps;
  const gramOf = opts.backend === 'wasm' ? unfoldingGramWasm : unfoldingGram;

  let best: CPResult | null = null;
  for (let run = 0; run < opts.restarts; run++) {
    const rng = new Rng(opts.seed).fork(run);
    const notes: string[] = [];
    let factors: Factors;
    let initName: string;
    if (typeof opts.init !== 'string') {
      factors = run === 0 ? (opts.init.map(cloneMatrix) as Factors) : randomInit(unit, rank, rng);
      initName = run === 0 ? 'given' : 'random';
    } else if (opts.init === 'jennrich') {
      const j = jennrichInit(unit, rank, rng, gramOf, ops);
      if (j.factors) {
        factors = j.factors;
        initName = 'jennrich';
      } else {
        notes.push(`jennrich init failed (${j.reason}); fell back to svd`);
        factors = svdInit(unit, rank, rng, gramOf);
        initName = 'svd';
      }
    } else if (opts.init === 'svd' && run === 0) {
      factors = svdInit(unit, rank, rng, gramOf);
      initName = 'svd';
    } else {
      // HOSVD is deterministic: later restarts start from random factors.
      factors = randomInit(unit, rank, rng);
      initName = 'random';
    }
    const result = alsRun(unit, rank, factors, normX, { ...opts, restart: run }, ops, notes);
    result.init = initName;
    result.restart = run;
    if (!best || result.relError < best.relError) best = result;
  }
  return best!;
}

interface RunOptions {
  maxIter: number;
  tol: number;
  l2: number;
  linesearch: boolean;
  restart: number;
  onIteration?: CPOptions['onIteration'];
}

/** Below this relative error the ‖X‖² − 2⟨X, X̂⟩ + ‖X̂‖² estimate is swamped by rounding. */
const EXACT_BELOW = 1e-5;

/** One ALS run on t = X / ‖X‖ (unit norm); `normX` only rescales the returned weights. */
function alsRun(t: Tensor3, R: number, init: Factors, normX: number, opts: RunOptions, ops: AlsOps, notes: string[]): CPResult {
  const [I, J, K] = t.dims;
  const IJ = I * J;
  const RR = R * R;
  // The sweep's buffers, then line-search copies: A0, B0, C0 (before the sweep), As, Bs, Cs (trial), T2.
  const ws = ops.workspace([...alsBufferLengths(t.dims, R), I * R, J * R, K * R, I * R, J * R, K * R, IJ * R]);
  try {
    const s = new AlsSweep(ops, t.dims, R, opts.l2, alsBuffers(ws.slice(0, 12)));
    const [A0, B0, C0] = ws.slice(12, 15);
    let [As, Bs, Cs, T2] = ws.slice(15, 19);
    const { X, GA, GB, GC } = s.b;
    X.set(t.data); // already X / ‖X‖
    s.b.A.set(init[0].data);
    s.b.B.set(init[1].data);
    s.b.C.set(init[2].data);
    s.onRidge = (ridge, mode, iter) => {
      if (notes.some((n) => n.startsWith('normal equations'))) return;
      notes.push(`normal equations not positive definite (sweep ${iter}, mode ${mode + 1}): added ridge ${ridge.toExponential(2)}; later sweeps may too`);
    };
    const history: number[] = [];
    let converged = false;
    let iterations = 0;
    let relErr = Infinity;
    let exact = false;
    let accPow = 2;
    let accFail = 0;
    const maxFail = 4;
    let accepted = 0;

    /** Relative error of [[A', B', C']] given ⟨X, X̂⟩ and the three Grams already in GA, GB, GC. */
    const relErrorOf = (inner: number, Af: Float64Array, Bf: Float64Array, Cf: Float64Array): { e: number; exact: boolean } => {
      let xhat2 = 0;
      for (let p = 0; p < RR; p++) xhat2 += GA[p] * GB[p] * GC[p];
      const e = Math.sqrt(Math.max(1 - 2 * inner + xhat2, 0));
      if (e >= EXACT_BELOW) return { e, exact: false };
      return { e: Math.sqrt(ops.residualSq(X, I, J, K, Af, Bf, Cf, R, s.b.T, s.b.M3)), exact: true };
    };

    for (let it = 1; it <= opts.maxIter; it++) {
      iterations = it;
      const lsNow = opts.linesearch && it % 2 === 0 && it > 2;
      if (lsNow) {
        A0.set(s.b.A);
        B0.set(s.b.B);
        C0.set(s.b.C);
      }
      const inner = s.sweep(it);
      ({ e: relErr, exact } = relErrorOf(inner, s.b.A, s.b.B, s.b.C));
      const { A, B, C, M } = s.b;
      if (lsNow) {
        // Bro's extrapolation F = F_0 + s (F − F_0) with s = it^(1/accPow).
        const step = pow(it, 1 / accPow); // detmath: the same bits in every engine
        for (let p = 0; p < I * R; p++) As[p] = A0[p] + step * (A[p] - A0[p]);
        for (let p = 0; p < J * R; p++) Bs[p] = B0[p] + step * (B[p] - B0[p]);
        for (let p = 0; p < K * R; p++) Cs[p] = C0[p] + step * (C[p] - C0[p]);
        // ⟨X, X̂'⟩ via T' = X ×₃ C' — which the next sweep reuses when the step is accepted.
        ops.ttm3(X, I, J, K, Cs, R, T2);
        ops.mttkrp1(T2, I, J, R, Bs, M);
        let innerS = 0;
        for (let p = 0; p < I * R; p++) innerS += M[p] * As[p];
        ops.gram(As, I, R, GA);
        ops.gram(Bs, J, R, GB);
        ops.gram(Cs, K, R, GC);
        const trial = relErrorOf(innerS, As, Bs, Cs);
        if (trial.e < relErr) {
          s.b.A = As;
          s.b.B = Bs;
          s.b.C = Cs;
          [As, Bs, Cs] = [A, B, C];
          [s.b.T, T2] = [T2, s.b.T];
          s.haveT = true;
          relErr = trial.e;
          exact = trial.exact;
          accFail = 0;
          accepted++;
        } else if (++accFail === maxFail) {
          accPow += 1;
          accFail = 0;
        }
      }
      const fit = 1 - relErr;
      history.push(fit);
      if (relErr < 1e-14 || (it > 1 && Math.abs(history[it - 2] - fit) < opts.tol)) {
        converged = true;
        break;
      }
      if (opts.onIteration && opts.onIteration({ restart: opts.restart, iteration: it, fit }) === false) break;
    }
    const { A, B, C } = s.b;
    if (!exact) {
      relErr = Math.sqrt(ops.residualSq(X, I, J, K, A, B, C, R, s.b.T, s.b.M3));
      history[history.length - 1] = 1 - relErr;
    }
    return runResult([A, B, C], t.dims, R, normX, { relErr, iterations, history, converged, backend: ops.name, linesearchAccepted: accepted, notes });
  } finally {
    ops.release();
  }
}

/**
 * Unit-norm columns with the scale in `weights`, sorted by weight (descending); signs fixed so the
 * columns of the first two factors have non-negative sums (the sign goes into the third).
 */
/**
 * One run's CPResult from its working factors (shared by ALS and HALS): unit columns, weights
 * scaled back by ‖X‖; `init` and `restart` are filled in by the caller that knows them.
 */
export function runResult(
  F: Float64Array[],
  dims: [number, number, number],
  R: number,
  normX: number,
  run: { relErr: number; iterations: number; history: number[]; converged: boolean; backend: CPResult['backend']; linesearchAccepted: number; notes: string[] },
): CPResult {
  const out = finalize(F, dims, R);
  for (let r = 0; r < R; r++) out.weights[r] *= normX;
  const { relErr, ...rest } = run;
  return { weights: out.weights, factors: out.factors, fit: 1 - relErr, relError: relErr, init: '', restart: 0, ...rest };
}

export function finalize(F: Float64Array[], dims: [number, number, number], R: number): { weights: Float64Array; factors: Factors } {
  const mats = F.map((f, n) => matrix(dims[n], R, f.slice(0, dims[n] * R)));
  const w = new Float64Array(R).fill(1);
  for (let n = 0; n < 3; n++) {
    const m = mats[n];
    for (let r = 0; r < R; r++) {
      let s = 0, sum = 0;
      for (let i = 0; i < m.rows; i++) { s += m.data[i * R + r] ** 2; sum += m.data[i * R + r]; }
      let nr = Math.sqrt(s);
      w[r] *= nr;
      if (nr === 0) nr = 1;
      let sg = 1;
      if (n < 2 && sum < 0) {
        sg = -1;
        const c = mats[2];
        for (let i = 0; i < c.rows; i++) c.data[i * R + r] = -c.data[i * R + r];
      }
      for (let i = 0; i < m.rows; i++) m.data[i * R + r] *= sg / nr;
    }
  }
  const order = Array.from({ length: R }, (_, r) => r).sort((a, b) => w[b] - w[a] || a - b);
  const weights = Float64Array.from(order, (r) => w[r]);
  const factors = mats.map((m) => {
    const o = matrix(m.rows, R);
    for (let i = 0; i < m.rows; i++) order.forEach((src, dst) => (o.data[i * R + dst] = m.data[i * R + src]));
    return o;
  }) as Factors;
  return { weights, factors };
}
