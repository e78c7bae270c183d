/**
 * Recovering (O, T) from the triplet tensor by CP decomposition.
 *
 * With F[a, h] = P(h_2 = h | x_1 = a),
 *
 *     W[a, b, c] = P(x_2 = b, x_3 = c | x_1 = a) = Σ_h F[a, h] · O[h, b] · (T O)[h, c],
 *
 * so W = Σ_h f_h ⊗ o_h ⊗ (T O)_h has CP rank ≤ k with factors A = F (d×k, rows on the simplex),
 * B = Oᵀ (column h = emission law of state h) and C = (T O)ᵀ = Oᵀ Tᵀ (column h = P(x_3 | h_2 = h)).
 * When T is invertible and rank O = k (generic, d ≥ k), all three factors have Kruskal rank k,
 * and k + k + k ≥ 2k + 2 for k ≥ 2: by Kruskal's theorem the decomposition is unique up to a common
 * permutation of the components and a rescaling of each (λ_h a_h ⊗ b_h ⊗ c_h).
 *
 * CP returns unit-norm columns with weights. Since columns of B and C are probability vectors, the
 * scale (and sign) is fixed by dividing each column by its sum. Then C = Oᵀ Tᵀ is solved for T by
 * least squares (Householder QR of Oᵀ, d×k), and every row is projected onto the simplex (a no-op
 * for exact W; for sampled W it returns the nearest valid HMM).
 */
import { cp, type CPOptions } from '../cp/cp.js';
import type { Matrix } from '../cp/matrix.js';
import { checkTensor, type Tensor3 } from '../cp/tensor.js';
import { leastSquares, maxAbsDiff, projectSimplex, transpose, type Mat } from './linalg.js';
import { matchStates, permuteHmm } from './match.js';
import { exactJoint, tripletTensor } from './predictors.js';
import { empiricalJoint } from './sample.js';
import { checkHmm, HMMError, type HMM } from './types.js';
import { checkInteger, checkObject, checkOptions } from '../validate/index.js';

export interface Recovery {
  /** k×k, rows on the simplex; in the true labelling when `truth` was given. */
  transition: Mat;
  /** k×d, rows on the simplex. */
  emission: Mat;
  /** permutation[h] = CP component matched to true state h (identity order when no truth). */
  permutation: number[];
  /** max |Δ| against the truth (when given). */
  errors?: { transition: number; emission: number };
  cp: { rank: number; iterations: number; fit: number; relError: number; converged: boolean; init: string; restarts: number };
  /** min |R_ii| / max |R_ii| of the QR of the recovered Oᵀ (small: T is ill-determined). */
  conditionRatio: number;
  /** Largest distance a projection onto the simplex moved a row (0 for exact W up to rounding). */
  projection: number;
}

export interface RecoverOptions {
  /** CP options; defaults: Jennrich init (exact on noiseless W), line search, tol 1e-14, 1000 sweeps. */
  cp?: CPOptions;
  /** The true HMM, for matching states and reporting errors. */
  truth?: HMM;
}

/** Smallest min|R_ii|/max|R_ii| of the recovered Oᵀ accepted as rank k (exact W of a generic HMM: ≈ 0.2–0.9). */
const DEGENERATE_RATIO = 1e-6;

export const RECOVERY_CP_OPTIONS: CPOptions = { init: 'jennrich', linesearch: true, tol: 1e-14, maxIter: 1000, restarts: 1, seed: 0 };

function column(m: Matrix, j: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) out.push(m.data[i * m.cols + j]);
  return out;
}

/** Divides a CP column by its sum (fixing scale and sign), then projects onto the simplex. */
function toDistribution(v: number[], name: string): { p: number[]; moved: number } {
  const s = v.reduce((a, b) => a + b, 0);
  if (!(Math.abs(s) > 1e-300)) throw new HMMError(`CP ${name} column sums to ${s}: cannot be rescaled to a probability vector (the decomposition failed)`);
  const q = v.map((x) => x / s);
  const p = projectSimplex(q);
  return { p, moved: maxAbsDiff(p, q) };
}

/** Decomposes W (d×d×d) with rank k and reads off (O, T). */
export function recoverFromTensor(w: Tensor3, k: number, options: RecoverOptions = {}): Recovery {
  checkTensor(w, 'w');
  checkInteger('recoverFromTensor', 'k', k, 1);
  checkOptions('recoverFromTensor', options);
  if (options.truth !== undefined) checkHmm('recoverFromTensor', options.truth, 'options.truth');
  if (options.cp !== undefined) checkObject('recoverFromTensor', 'options.cp', options.cp);
  const [d1, d2, d3] = w.dims;
  if (d1 !== d2 || d2 !== d3) throw new HMMError(`W must be d×d×d, got ${d1}×${d2}×${d3}`);
  const d = d1;
  if (!Number.isInteger(k) || k < 1) throw new HMMError(`rank k must be a positive integer, got ${k}`);
  if (d < k) throw new HMMError(`recovery needs d ≥ k, got d = ${d} < k = ${k}`);
  if (options.truth && (options.truth.k !== k || options.truth.d !== d)) {
    throw new HMMError(`truth has k = ${options.truth.k}, d = ${options.truth.d}, expected k = ${k}, d = ${d}`);
  }
  const cpOptions = { ...RECOVERY_CP_OPTIONS, ...options.cp };
  const res = cp(w, k, cpOptions);
  const [, B, C] = res.factors;
  let projection = 0;
  const emission: Mat = [];
  const next: Mat = []; // rows: P(x_3 | h_2 = h) = (T O)[h]
  for (let h = 0; h < k; h++) {
    const e = toDistribution(column(B, h), 'emission (mode-2)');
    const c = toDistribution(column(C, h), 'next-emission (mode-3)');
    emission.push(e.p);
    next.push(c.p);
    projection = Math.max(projection, e.moved, c.moved);
  }
  // C = Oᵀ Tᵀ  ⇒  Tᵀ = argmin ‖Oᵀ X − C‖ (d×k least squares).
  const { x, conditionRatio } = leastSquares(transpose(emission), transpose(next));
  // Identifiability needs rank(O) = k (Liu et al. 2022). Recovered emission rows that are
  // linearly dependent (a constant or rank-deficient W: several components share one profile)
  // are not k hidden states, however good the CP fit: refuse rather than return them.
  if (!(conditionRatio > DEGENERATE_RATIO)) {
    throw new HMMError(`W is degenerate at rank k = ${k}: the recovered emission rows are linearly dependent (rank ratio ${conditionRatio.toExponential(2)} ≤ ${DEGENERATE_RATIO}), so W does not determine ${k} distinct hidden states (a constant or rank-deficient W; try a smaller k)`);
  }
  const transition: Mat = [];
  for (const row of transpose(x)) {
    const p = projectSimplex(row);
    projection = Math.max(projection, maxAbsDiff(p, row));
    transition.push(p);
  }
  let permutation = Array.from({ length: k }, (_, i) => i);
  let out = { transition, emission };
  let errors: Recovery['errors'];
  if (options.truth) {
    permutation = matchStates(options.truth.emission, emission);
    const p = permuteHmm({ transition, emission }, permutation);
    out = { transition: p.transition, emission: p.emission };
    errors = { transition: maxAbsDiff(out.transition, options.truth.transition), emission: maxAbsDiff(out.emission, options.truth.emission) };
  }
  return {
    ...out,
    permutation,
    errors,
    cp: { rank: k, iterations: res.iterations, fit: res.fit, relError: res.relError, converged: res.converged, init: res.init, restarts: cpOptions.restarts ?? 1 },
    conditionRatio,
    projection,
  };
}

export interface RecoverHmmOptions extends RecoverOptions {
  source?: 'exact' | 'samples';
  /** Sampled triples (x_1, x_2, x_3) when source = 'samples' (default 10^6). */
  samples?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** W for an HMM: exact, or estimated from `samples` sampled triples. */
export function hmmTripletTensor(hmm: HMM, source: 'exact' | 'samples' = 'exact', samples = 1e6, seed = 0, onProgress?: (done: number, total: number) => void): Tensor3 {
  checkHmm('hmmTripletTensor', hmm);
  // Anything else (a typo such as 'sample') would otherwise silently fall into the sampled branch.
  if (source !== 'exact' && source !== 'samples') throw new HMMError(`source must be 'exact' or 'samples', got ${JSON.stringify(source)}`);
  const joint = source === 'exact' ? exactJoint(hmm, [1, 2, 3]) : empiricalJoint(hmm, [1, 2, 3], samples, seed, onProgress);
  return tripletTensor(joint);
}

/** Builds W from `hmm` (exact or sampled), recovers (O, T) and scores them against `hmm`. */
export function recoverHmm(hmm: HMM, options: RecoverHmmOptions = {}): Recovery {
  checkHmm('recoverHmm', hmm);
  checkOptions('recoverHmm', options);
  if (hmm.d < hmm.k) throw new HMMError(`recovery needs d ≥ k, but emission is ${hmm.k}×${hmm.d} (k = ${hmm.k} hidden states, d = ${hmm.d} observations)`);
  const w = hmmTripletTensor(hmm, options.source, options.samples, options.seed, options.onProgress);
  return recoverFromTensor(w, hmm.k, { truth: hmm, ...options });
}
