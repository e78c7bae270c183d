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
 * scale (and sign) is fixed by dividing each column by its sum. Then C = Oᵀ Tᵀ is solved for T.
 *
 * Two methods (`constraint`):
 * - 'simplex' (default): unconstrained CP-ALS from Jennrich's init gives a start; non-negative HALS
 *   (src/cp/hals.ts) from it and from `restarts` random starts keeps the best fit, so every factor
 *   is ≥ 0 and the columns of B and C are distributions after scaling. Each row of T is then the
 *   simplex-constrained least-squares solution of Oᵀ t = c_h (not an unconstrained solution
 *   clipped afterwards, which is far from the constrained one when O is ill-conditioned).
 * - 'none': the unconstrained path alone (CP-ALS, T by least squares, rows projected onto the
 *   simplex). Exact on noiseless W; on sampled W it often fits the noise with cancelling components
 *   of mixed sign (bench/results/hmm-recovery: 16/50 random k = 4, d = 8 HMMs at N = 10^6).
 *
 * Either way `conditioning` (conditioning.ts) says whether the data determine (O, T) at all: the
 * spectral gap of W's unfoldings and cond(O), with warnings when they do not.
 */
import { cp, CP_OPTION_KEYS, type CPOptions } from '../cp/cp.js';
import type { Matrix } from '../cp/matrix.js';
import { checkTensor, type Tensor3 } from '../cp/tensor.js';
import { cpNonneg } from '../cp/hals.js';
import { assessConditioning, type Conditioning } from './conditioning.js';
import { leastSquares, maxAbsDiff, projectSimplex, transpose, type Mat } from './linalg.js';
import { matchStates, permuteHmm } from './match.js';
import { emOnTriples } from './em.js';
import { exactJoint, tripletTensor, type Joint } from './predictors.js';
import { empiricalJoint } from './sample.js';
import { checkHmm, HMMError, stationaryDistribution, type HMM } from './types.js';
import { optionKeys, checkInteger, checkKeys, checkMatrix, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';

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
  /** Whether the data determine (O, T): spectral gap, condition numbers, warnings. */
  conditioning: Conditioning;
  constraint: RecoveryConstraint;
  /** EM refinement on the triple law (when a joint was given): per-sample log-likelihood before and after. */
  em?: { iterations: number; converged: boolean; logLikelihood: number; startLogLikelihood: number };
}

export type RecoveryConstraint = 'simplex' | 'none';

/** The keys of RecoverOptions (a misspelled option is refused, not ignored). */
export const RECOVER_OPTION_KEYS = optionKeys<RecoverOptions>({ cp: true, constraint: true, samples: true, joint: true, refine: true, truth: true });

export interface RecoverOptions {
  /**
   * CP options; defaults: Jennrich init (exact on noiseless W), line search, tol 1e-14, 1000 sweeps.
   * With constraint 'simplex', `restarts` counts the random HALS starts (default 8), `seed` seeds them.
   */
  cp?: CPOptions;
  /** 'simplex' (default: non-negative CP, T by simplex least squares) or 'none' (unconstrained). */
  constraint?: RecoveryConstraint;
  /** How many samples W was estimated from (only for the samples-needed estimate in `conditioning`). */
  samples?: number;
  /**
   * The joint law of (x_1, x_2, x_3) W was computed from (empirical: normalised counts). When given
   * and the constraint is 'simplex', the CP estimate is refined by EM on it (maximum likelihood,
   * em.ts) unless `refine` is 'none'.
   */
  joint?: Joint;
  refine?: 'em' | 'none';
  /** The true HMM, for matching states and reporting errors. */
  truth?: HMM;
}

/** Smallest min|R_ii|/max|R_ii| of the recovered Oᵀ accepted as rank k (exact W of a generic HMM: ≈ 0.2–0.9). */
const DEGENERATE_RATIO = 1e-6;

export const RECOVERY_CP_OPTIONS: CPOptions = { init: 'jennrich', linesearch: true, tol: 1e-14, maxIter: 1000, restarts: 1, seed: 0 };
/** Random HALS starts besides the one from CP-ALS (constraint 'simplex'). */
export const RECOVERY_NONNEG_RESTARTS = 8;
const NONNEG_MAX_ITER = 3000;

/**
 * argmin ‖A x − b‖ over the probability simplex (A: m×n as rows, m ≥ n). The unconstrained least
 * squares solution is taken when it already lies on the simplex (exact data); otherwise
 * accelerated projected gradient (FISTA with adaptive restart) on ½xᵀGx − hᵀx, G = AᵀA, h = Aᵀb.
 */
export function simplexLeastSquares(a: Mat, b: readonly number[]): number[] {
  checkMatrix('simplexLeastSquares', 'a', a);
  checkNumbers('simplexLeastSquares', 'b', b, { length: a.length });
  if (a.length < a[0].length) fail('simplexLeastSquares', `a is ${a.length}×${a[0].length}: needs at least as many rows as columns`);
  const m = a.length, n = a[0].length;
  const { x: ls } = leastSquares(a, b.map((v) => [v]));
  const free = ls.map((r) => r[0]);
  const sum = free.reduce((s, v) => s + v, 0);
  if (free.every((v) => v >= -1e-12) && Math.abs(sum - 1) < 1e-9) return projectSimplex(free);
  const G: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const h = new Array<number>(n).fill(0);
  for (let l = 0; l < m; l++) for (let i = 0; i < n; i++) {
    h[i] += a[l][i] * b[l];
    for (let j = 0; j < n; j++) G[i][j] += a[l][i] * a[l][j];
  }
  let L = 0; // ‖G‖ ≤ max row sum of |G|
  for (const row of G) L = Math.max(L, row.reduce((s, v) => s + Math.abs(v), 0));
  if (!(L > 0)) return new Array<number>(n).fill(1 / n);
  const f = (x: number[]) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      let gx = 0;
      for (let j = 0; j < n; j++) gx += G[i][j] * x[j];
      v += x[i] * (0.5 * gx - h[i]);
    }
    return v;
  };
  let x = projectSimplex(free);
  let y = x.slice(), t = 1, fx = f(x);
  for (let it = 0; it < 20000; it++) {
    const grad = h.map((hi, i) => G[i].reduce((s, g, j) => s + g * y[j], 0) - hi);
    const next = projectSimplex(y.map((v, i) => v - grad[i] / L));
    const fn = f(next);
    if (fn > fx) { // adaptive restart: momentum overshot
      y = x.slice();
      t = 1;
      continue;
    }
    const tn = (1 + Math.sqrt(1 + 4 * t * t)) / 2;
    const step = maxAbsDiff(next, x);
    y = next.map((v, i) => v + ((t - 1) / tn) * (v - x[i]));
    x = next;
    fx = fn;
    t = tn;
    if (step < 1e-15) break;
  }
  return x;
}

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
  checkKeys('recoverFromTensor', checkOptions('recoverFromTensor', options), RECOVER_OPTION_KEYS);
  if (options.cp !== undefined) checkKeys('recoverFromTensor', checkObject('recoverFromTensor', 'options.cp', options.cp), CP_OPTION_KEYS, 'options.cp');
  if (options.truth !== undefined) checkHmm('recoverFromTensor', options.truth, 'options.truth');
  const [d1, d2, d3] = w.dims;
  if (d1 !== d2 || d2 !== d3) throw new HMMError(`W must be d×d×d, got ${d1}×${d2}×${d3}`);
  const d = d1;
  if (!Number.isInteger(k) || k < 1) throw new HMMError(`rank k must be a positive integer, got ${k}`);
  if (d < k) throw new HMMError(`recovery needs d ≥ k, got d = ${d} < k = ${k}`);
  if (options.truth && (options.truth.k !== k || options.truth.d !== d)) {
    throw new HMMError(`truth has k = ${options.truth.k}, d = ${options.truth.d}, expected k = ${k}, d = ${d}`);
  }
  const constraint = options.constraint ?? 'simplex';
  if (constraint !== 'simplex' && constraint !== 'none') throw new HMMError(`constraint must be 'simplex' or 'none', got ${JSON.stringify(constraint)}`);
  const cpOptions = { ...RECOVERY_CP_OPTIONS, ...options.cp };
  let res = cp(w, k, constraint === 'none' ? cpOptions : { ...cpOptions, restarts: 1 });
  let restarts = cpOptions.restarts ?? 1;
  if (constraint === 'simplex') {
    // The unconstrained solution is the first start (exact on noiseless W); random starts follow.
    // An (almost) exact fit cannot be beaten by random starts: skip them.
    restarts = res.relError < 1e-10 ? 1 : 1 + (options.cp?.restarts ?? RECOVERY_NONNEG_RESTARTS);
    // CP returns unit columns and weights: the weights go into C so that [[A, B, C]] is the model.
    const [A0, B0, C0] = res.factors;
    const Cw = { rows: C0.rows, cols: C0.cols, data: C0.data.map((x, i) => x * res.weights[i % k]) };
    const nn = cpNonneg(w, k, { init: [A0, B0, Cw], restarts, seed: cpOptions.seed, maxIter: options.cp?.maxIter ?? NONNEG_MAX_ITER, tol: 1e-15, backend: cpOptions.backend });
    res = { ...nn, init: `${res.init} → non-negative HALS (${nn.init === 'given' ? 'from CP-ALS' : 'random start'})` };
  }
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
  const ot = transpose(emission);
  const { x, conditionRatio } = leastSquares(ot, transpose(next));
  // Identifiability needs rank(O) = k (Liu et al. 2022). Recovered emission rows that are
  // linearly dependent (a constant or rank-deficient W: several components share one profile)
  // are not k hidden states, however good the CP fit: refuse rather than return them.
  if (!(conditionRatio > DEGENERATE_RATIO)) {
    throw new HMMError(`W is degenerate at rank k = ${k}: the recovered emission rows are linearly dependent (rank ratio ${conditionRatio.toExponential(2)} ≤ ${DEGENERATE_RATIO}), so W does not determine ${k} distinct hidden states (a constant or rank-deficient W; try a smaller k)`);
  }
  const transition: Mat = [];
  for (const [h, row] of transpose(x).entries()) {
    const p = constraint === 'simplex' ? simplexLeastSquares(ot, next[h]) : projectSimplex(row);
    projection = Math.max(projection, maxAbsDiff(p, row));
    transition.push(p);
  }
  let em: Recovery['em'];
  if (options.joint && constraint === 'simplex' && (options.refine ?? 'em') === 'em') {
    let initial: number[];
    try {
      initial = stationaryDistribution(transition);
    } catch {
      initial = new Array<number>(k).fill(1 / k);
    }
    const r = emOnTriples(options.joint, { initial, transition, emission });
    em = { iterations: r.iterations, converged: r.converged, logLikelihood: r.logLikelihood, startLogLikelihood: r.startLogLikelihood };
    emission.splice(0, k, ...r.emission);
    transition.splice(0, k, ...r.transition);
  }
  const conditioning = assessConditioning(w, k, emission, transition, options.samples ?? options.joint?.samples);
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
    cp: { rank: k, iterations: res.iterations, fit: res.fit, relError: res.relError, converged: res.converged, init: res.init, restarts },
    conditionRatio,
    projection,
    conditioning,
    constraint,
    ...(em ? { em } : {}),
  };
}

export interface RecoverHmmOptions extends RecoverOptions {
  source?: 'exact' | 'samples';
  /** Sampled triples (x_1, x_2, x_3) when source = 'samples' (default 10^6). */
  samples?: number;
  seed?: number;
  onProgress?: (done: number, total: number) => void;
}

/** The law of (x_1, x_2, x_3) for an HMM: exact, or estimated from `samples` sampled triples. */
export function tripletJoint(hmm: HMM, source: 'exact' | 'samples' = 'exact', samples = 1e6, seed = 0, onProgress?: (done: number, total: number) => void): Joint {
  checkHmm('tripletJoint', hmm);
  // Anything else (a typo such as 'sample') would otherwise silently fall into the sampled branch.
  if (source !== 'exact' && source !== 'samples') throw new HMMError(`source must be 'exact' or 'samples', got ${JSON.stringify(source)}`);
  return source === 'exact' ? exactJoint(hmm, [1, 2, 3]) : empiricalJoint(hmm, [1, 2, 3], samples, seed, onProgress);
}

/** W for an HMM: exact, or estimated from `samples` sampled triples. */
export function hmmTripletTensor(hmm: HMM, source: 'exact' | 'samples' = 'exact', samples = 1e6, seed = 0, onProgress?: (done: number, total: number) => void): Tensor3 {
  checkHmm('hmmTripletTensor', hmm);
  return tripletTensor(tripletJoint(hmm, source, samples, seed, onProgress));
}

/** Builds W from `hmm` (exact or sampled), recovers (O, T) and scores them against `hmm`. */
export function recoverHmm(hmm: HMM, options: RecoverHmmOptions = {}): Recovery {
  checkHmm('recoverHmm', hmm);
  checkKeys('recoverHmm', checkOptions('recoverHmm', options), optionKeys<RecoverHmmOptions>({ cp: true, constraint: true, samples: true, joint: true, refine: true, truth: true, source: true, seed: true, onProgress: true }));
  if (hmm.d < hmm.k) throw new HMMError(`recovery needs d ≥ k, but emission is ${hmm.k}×${hmm.d} (k = ${hmm.k} hidden states, d = ${hmm.d} observations)`);
  const joint = tripletJoint(hmm, options.source, options.samples, options.seed, options.onProgress);
  const sampled = options.source === 'samples';
  const { source: _s, seed: _seed, onProgress: _p, ...recover } = options;
  return recoverFromTensor(tripletTensor(joint), hmm.k, { truth: hmm, ...recover, samples: sampled ? joint.samples : undefined, joint: sampled ? joint : undefined });
}
