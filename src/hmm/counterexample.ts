/**
 * Pairwise predictors do not identify an HMM: the "twin" construction.
 *
 * Write D_t = diag(π_t) for the law of h_t. Every pairwise joint is P(x_i, x_j) = Oᵀ D_i T^(j−i) O
 * (O = emission, k×d). For an orthogonal U with s = Uᵀ√π_1 > 0 entrywise, put D̃ = diag(s²),
 * K = D_1^(−1/2) U D̃^(1/2) and
 *
 *     π̃_1 = s²,   Õ = K⁻¹ O = D̃^(−1/2) Uᵀ D_1^(1/2) O,   T̃ = K⁻¹ T K.
 *
 * Then K 1 = 1 (so Õ and T̃ have unit row sums) and Kᵀ D_1 K = D̃, whence
 * Õᵀ D̃ T̃^m Õ = Oᵀ D_1 T^m O for every m ≥ 0: the pairs (1, j) agree. The pair (2, 3) also agrees
 * iff Kᵀ D_2 K is diagonal, i.e. iff Uᵀ Λ U is diagonal for Λ = diag(π_2 / π_1): U may only mix
 * hidden states with equal ratios π_2(h)/π_1(h). With a stationary start Λ = I and any U works
 * (for any k ≥ 2, and with T doubly stochastic and π uniform, U fixing 1 gives the issue's
 * Õ = Uᵀ O, T̃ = Uᵀ T U); if all ratios are distinct only permutations remain.
 *
 * Conversely (T invertible, rank O = k, π_1, π_2 > 0): equal pairwise joints force the row space
 * of Õ to be that of O, so Õ = K⁻¹ O, and then the three joints force exactly the conditions
 * above. So this construction finds every pairwise twin, and "none" is a theorem, not a failed
 * search — when T is invertible and O has rank k (checked and reported).
 *
 * The triplet joint Σ_h P(x_1, h_2 = h) O[h, x_2] (T O)[h, x_3] has O on a diagonal in the middle,
 * which no non-permutation U preserves; the twin's triplet predictors differ (reported).
 */
import { identity, inverse, matmul, maxAbsDiff, rankRatio, transpose, type Mat } from './linalg.js';
import { matchStates, permuteHmm } from './match.js';
import { checkJointSize, exactJoint, maxTensorDiff, pairwisePredictor, tripletPredictor } from './predictors.js';
import { Rng } from '../random/prng.js';
import { cos, hypot, sin } from '../random/detmath.js';
import { checkHmm, createHmm, HMMError, type HMM } from './types.js';
import { optionKeys, checkBoolean, checkInteger, checkKeys, checkMatrix, checkNumber, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';

export interface PairwiseTwinOptions {
  /** Seed for the random rotation planes tried besides the coordinate planes (default 0). */
  seed?: number;
  /** Random planes tried per group of states (default 12). */
  randomPlanes?: number;
  /** Fraction of the largest feasible angle used (default 0.9: entries stay strictly positive). */
  angleFraction?: number;
  /** Only rotations fixing √π_1, so the twin keeps the initial distribution (for a uniform start: U fixes 1, Õ = Uᵀ O, T̃ = Uᵀ T U). Needs a group of ≥ 3 mixable states. */
  keepInitial?: boolean;
  /**
   * Work bound in floating-point operations (default 2e9, a few seconds): each plane costs about
   * 274 twins of 2k²d + 4k³ operations (edge search in both directions); when the planes exceed
   * the bound, a seeded sample of them is searched and the reason says how many.
   */
  maxWork?: number;
}

/** Largest k the search accepts: C(k, 2) coordinate planes at O(k²d + k³) each (k = d = 300 ran > 400 s unbounded). */
export const COUNTEREXAMPLE_MAX_STATES = 64;

export interface PairwiseTwin {
  found: boolean;
  /** Why (or why not), in one sentence. */
  reason: string;
  /** The different HMM with the same pairwise predictors (when found). */
  twin?: HMM;
  /** The orthogonal U of the construction and the rotation angle in its plane. */
  rotation?: Mat;
  angle?: number;
  /** Largest feasible angle in the chosen plane (entries stay ≥ 0 up to it). */
  maxAngle?: number;
  /** Twin state matched to each original state (identity unless the rotation is large). */
  permutation?: number[];
  /** max |Δ| between the predictors E[x_j | x_i] over all ordered pairs among positions 1, 2, 3. */
  pairwiseMaxDiff?: number;
  /** max |Δ| between the triplet predictors E[x_j ⊗ x_l | x_i] over all orderings of (1, 2, 3). */
  tripletMaxDiff?: number;
  /** max |Δ| of W = E[x_2 ⊗ x_3 | x_1] alone. */
  tensorMaxDiff?: number;
  /** Parameter differences after matching states. */
  parameterDiff?: { transition: number; emission: number; initial: number };
  /** Largest parameter difference (max over T, O after matching) over all planes at their feasible edge: how far apart HMMs with these pairwise predictors can be. */
  spread?: number;
  /** The valid twin (at 0.999 of a feasible edge) realising `spread`: the farthest one found. */
  farthest?: { initial: number[]; transition: Mat; emission: Mat };
  /** Hidden states grouped by equal π_2/π_1 (only states in one group can be mixed). */
  groups: number[][];
  /** T invertible and rank(O) = k, so that "no twin" is a proof. */
  generic: boolean;
  /** Planes searched and planes there were (fewer searched when maxWork bound the search). */
  planes?: { searched: number; total: number };
}

const POSITIONS = [1, 2, 3];

/** The twin for an orthogonal U, or undefined when some entry would be negative. */
export function twinFor(hmm: HMM, u: Mat, strict = 0): { initial: number[]; transition: Mat; emission: Mat } | undefined {
  checkHmm('twinFor', hmm);
  checkMatrix('twinFor', 'u', u, { rows: hmm.k, cols: hmm.k });
  checkNumber('twinFor', 'strict', strict, 0);
  const k = hmm.k;
  const sq = hmm.initial.map(Math.sqrt);
  const ut = transpose(u);
  const s = ut.map((row) => row.reduce((acc, x, j) => acc + x * sq[j], 0));
  if (s.some((x) => !(x > strict))) return undefined;
  // M = D̃^(−1/2) Uᵀ D^(1/2) = K⁻¹ (k×k); K = D^(−1/2) U D̃^(1/2).
  const kInv = ut.map((row, a) => row.map((x, j) => (x * sq[j]) / s[a]));
  const kMat = u.map((row, j) => row.map((x, a) => (x * s[a]) / sq[j]));
  const emission = matmul(kInv, hmm.emission);
  const transition = matmul(matmul(kInv, hmm.transition), kMat);
  for (const m of [emission, transition]) for (const row of m) for (const x of row) if (!(x >= strict)) return undefined;
  return { initial: s.map((x) => x * x), transition, emission };
}

/** Rotation by θ in the plane of orthonormal u, v (identity on its complement). */
export function planeRotation(u: readonly number[], v: readonly number[], theta: number): Mat {
  const k = checkNumbers('planeRotation', 'u', u, { minLength: 1 }).length;
  checkNumbers('planeRotation', 'v', v, { length: k });
  checkNumber('planeRotation', 'theta', theta);
  const c = cos(theta), s = sin(theta);
  const r = identity(k);
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) r[i][j] += (c - 1) * (u[i] * u[j] + v[i] * v[j]) + s * (v[i] * u[j] - u[i] * v[j]);
  return r;
}

/** Groups of hidden states with equal π_2(h)/π_1(h) (relative tolerance 1e-9). */
export function ratioGroups(hmm: HMM): number[][] {
  checkHmm('ratioGroups', hmm);
  const p1 = hmm.initial;
  const p2 = p1.map((_, j) => p1.reduce((acc, x, i) => acc + x * hmm.transition[i][j], 0));
  const ratio = p1.map((x, h) => p2[h] / x);
  const groups: number[][] = [];
  for (let h = 0; h < hmm.k; h++) {
    const g = groups.find((g) => Math.abs(ratio[g[0]] - ratio[h]) <= 1e-9 * Math.max(1, Math.abs(ratio[h])));
    if (g) g.push(h);
    else groups.push([h]);
  }
  return groups;
}

/** Pairwise and triplet predictor differences between two HMMs, over positions 1, 2, 3. */
export function predictorDiffs(a: HMM, b: HMM): { pairwise: number; triplet: number; tensor: number } {
  checkHmm('predictorDiffs', a, 'a');
  checkHmm('predictorDiffs', b, 'b');
  if (a.d !== b.d) fail('predictorDiffs', `a has d = ${a.d} observations but b has d = ${b.d}`);
  const ja = exactJoint(a, POSITIONS), jb = exactJoint(b, POSITIONS);
  let pairwise = 0, triplet = 0;
  for (const i of POSITIONS)
    for (const j of POSITIONS) if (i !== j) pairwise = Math.max(pairwise, maxAbsDiff(pairwisePredictor(ja, i, j), pairwisePredictor(jb, i, j)));
  for (const [i, j, l] of [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]])
    triplet = Math.max(triplet, maxTensorDiff(tripletPredictor(ja, i, j, l).data, tripletPredictor(jb, i, j, l).data));
  const tensor = maxTensorDiff(tripletPredictor(ja, 1, 2, 3).data, tripletPredictor(jb, 1, 2, 3).data);
  return { pairwise, triplet, tensor };
}

/** Distance between two HMMs up to relabelling of hidden states. */
export function parameterDistance(truth: HMM, other: { initial: number[]; transition: Mat; emission: Mat }): { transition: number; emission: number; initial: number; permutation: number[] } {
  checkHmm('parameterDistance', truth, 'truth');
  const o = checkObject('parameterDistance', 'other', other);
  checkMatrix('parameterDistance', 'other.transition', o.transition, { rows: truth.k, cols: truth.k });
  checkMatrix('parameterDistance', 'other.emission', o.emission, { rows: truth.k, cols: truth.d });
  checkNumbers('parameterDistance', 'other.initial', o.initial, { length: truth.k });
  const permutation = matchStates(truth.emission, other.emission);
  const p = permuteHmm(other, permutation);
  return {
    transition: maxAbsDiff(p.transition, truth.transition),
    emission: maxAbsDiff(p.emission, truth.emission),
    initial: maxAbsDiff(p.initial, truth.initial),
    permutation,
  };
}

/** Largest θ in (0, π] (stepping outwards, then bisecting) with a valid twin; 0 if none. */
function feasibleEdge(hmm: HMM, u: number[], v: number[], sign: 1 | -1): number {
  const ok = (t: number) => twinFor(hmm, planeRotation(u, v, sign * t), 1e-13) !== undefined;
  const steps = 90;
  let lo = 0, hi = -1;
  for (let i = 1; i <= steps; i++) {
    const t = (Math.PI * i) / steps;
    if (ok(t)) lo = t;
    else {
      hi = t;
      break;
    }
  }
  if (hi < 0) return lo;
  if (lo === 0) {
    // The feasible interval may be shorter than one step.
    hi = Math.PI / steps;
  }
  for (let it = 0; it < 45; it++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/**
 * Searches rotation planes (coordinate planes and seeded random planes inside each group of
 * mixable states, plus planes ⟂ √π_1 that keep π_1) for the twin farthest from `hmm`.
 */
export function findPairwiseTwin(hmm: HMM, options: PairwiseTwinOptions = {}): PairwiseTwin {
  checkHmm('findPairwiseTwin', hmm);
  const opt = checkOptions('findPairwiseTwin', options);
  checkKeys('findPairwiseTwin', opt, optionKeys<PairwiseTwinOptions>({ seed: true, randomPlanes: true, angleFraction: true, keepInitial: true, maxWork: true }));
  if (opt.keepInitial !== undefined) checkBoolean('findPairwiseTwin', 'options.keepInitial', opt.keepInitial);
  if (opt.randomPlanes !== undefined) checkInteger('findPairwiseTwin', 'options.randomPlanes', opt.randomPlanes, 0, 1e4);
  if (opt.angleFraction !== undefined) checkNumber('findPairwiseTwin', 'options.angleFraction', opt.angleFraction, 0, 1);
  const { seed = 0, randomPlanes = 12, angleFraction = 0.9, keepInitial = false, maxWork = 2e9 } = options;
  const k = hmm.k;
  if (k > COUNTEREXAMPLE_MAX_STATES) {
    throw new HMMError(`counterexample: k = ${k} hidden states is above the search's limit ${COUNTEREXAMPLE_MAX_STATES} (it tries up to k(k−1)/2 rotation planes at O(k²d + k³) each)`);
  }
  if (!(maxWork > 0)) throw new HMMError(`maxWork must be a positive number of operations, got ${maxWork}`);
  checkJointSize(hmm.d, 3, k); // the predictors compared at the end, refused before the search
  const generic = inverse(hmm.transition) !== undefined && hmm.d >= k && rankRatio(hmm.emission) > 1e-10;
  const genericNote = generic
    ? 'T is invertible and rank(O) = k, so by the characterisation (docs/hmm.md) no other HMM, up to relabelling, has these pairwise predictors'
    : 'T is singular or rank(O) < k, so the uniqueness argument does not apply; only this construction was searched';
  if (hmm.initial.some((x) => !(x > 0))) {
    return { found: false, reason: `initial has a zero entry (${hmm.initial.join(', ')}); the construction needs P(h_1) > 0`, groups: [], generic };
  }
  const groups = ratioGroups(hmm);
  const mixable = groups.filter((g) => g.length >= 2);
  if (k < 2) return { found: false, reason: 'k = 1: a single hidden state is identified by its emission row', groups, generic };
  if (mixable.length === 0) {
    return {
      found: false,
      reason: `no twin: the start is not stationary and the ratios P(h_2)/P(h_1) of all ${k} hidden states are distinct, so only permutations preserve the pairwise predictors among positions 1, 2, 3; ${genericNote}`,
      groups,
      generic,
    };
  }
  const rng = new Rng(seed);
  const sq = hmm.initial.map(Math.sqrt);
  const planes: [number[], number[]][] = [];
  const unit = (h: number) => Array.from({ length: k }, (_, i) => (i === h ? 1 : 0));
  for (const g of mixable) {
    if (!keepInitial) for (let a = 0; a < g.length; a++) for (let b = a + 1; b < g.length; b++) planes.push([unit(g[a]), unit(g[b])]);
    const inGroup = () => Array.from({ length: k }, (_, i) => (g.includes(i) ? rng.nextNormal() : 0));
    const sqG = Array.from({ length: k }, (_, i) => (g.includes(i) ? sq[i] : 0));
    for (let r = 0; r < randomPlanes; r++) {
      const pair = keepInitial ? undefined : gramSchmidt([inGroup(), inGroup()]);
      if (pair) planes.push([pair[0], pair[1]]);
      // A plane ⟂ √π_1 inside the group keeps π̃_1 = π_1 (the issue's "rotation fixing 1").
      if (g.length >= 3) {
        const b = gramSchmidt([sqG, inGroup(), inGroup()]);
        if (b) planes.push([b[1], b[2]]);
      }
    }
  }
  if (planes.length === 0) {
    return { found: false, reason: `no twin keeping the initial distribution: that needs ≥ 3 mixable states (a plane ⟂ √π_1), but the groups are ${groups.map((g) => `{${g.join(',')}}`).join(' ')}`, groups, generic };
  }
  // The work bound: a seeded sample of the planes when there are more than it allows.
  const perPlane = 2 * 137 * (2 * k * k * hmm.d + 4 * k * k * k);
  const allowed = Math.max(2, Math.floor(maxWork / perPlane));
  const total = planes.length;
  if (total > allowed) {
    for (let i = total - 1; i > 0; i--) {
      const j = Math.floor(rng.nextFloat() * (i + 1));
      [planes[i], planes[j]] = [planes[j], planes[i]];
    }
    planes.length = allowed;
  }
  const bounded = total > allowed ? ` (work bound: ${allowed} of ${total} planes searched, a seeded sample)` : '';
  let best: { u: number[]; v: number[]; theta: number; edge: number; dist: number } | undefined;
  let spread = 0;
  let farthest: PairwiseTwin['farthest'];
  for (const [u, v] of planes) {
    for (const sign of [1, -1] as const) {
      const edge = feasibleEdge(hmm, u, v, sign);
      if (edge <= 0) continue;
      const atEdge = twinFor(hmm, planeRotation(u, v, sign * edge * 0.999));
      if (atEdge) {
        const d = parameterDistance(hmm, atEdge);
        if (Math.max(d.transition, d.emission) > spread) {
          spread = Math.max(d.transition, d.emission);
          farthest = atEdge;
        }
      }
      const theta = sign * edge * angleFraction;
      const tw = twinFor(hmm, planeRotation(u, v, theta), 1e-13);
      if (!tw) continue;
      const d = parameterDistance(hmm, tw);
      const dist = Math.max(d.transition, d.emission);
      if (!best || dist > best.dist) best = { u, v, theta, edge, dist };
    }
  }
  if (!best || best.dist < 1e-9) {
    return {
      found: false,
      // Not a proof: every twin has the form of the construction, but the search tries rotations in
      // chosen planes stepping out from the identity, not every orthogonal U.
      reason: `no twin found: states ${mixable.map((g) => `{${g.join(',')}}`).join(' ')} could be mixed, but every rotation tried makes some entry of T̃, Õ or π̃ negative (zeros in T or O block it); the search tries rotations in ${planes.length} planes${bounded}, not every orthogonal U, so this is evidence, not a proof`,
      groups,
      generic,
      planes: { searched: planes.length, total },
      spread,
      farthest,
    };
  }
  const rotation = planeRotation(best.u, best.v, best.theta);
  const tw = twinFor(hmm, rotation)!;
  const twin = createHmm(hmm.initialIsStationary ? { transition: tw.transition, emission: tw.emission } : tw);
  const dist = parameterDistance(hmm, twin);
  const diffs = predictorDiffs(hmm, twin);
  return {
    found: true,
    reason: (hmm.initialIsStationary || groups.length === 1
      ? `the start is stationary, so any rotation U with nonnegative results gives a twin; rotated by ${best.theta.toFixed(4)} rad (feasible up to ${best.edge.toFixed(4)})`
      : `states ${mixable.map((g) => `{${g.join(',')}}`).join(' ')} have equal P(h_2)/P(h_1) and can be mixed; rotated by ${best.theta.toFixed(4)} rad`) + bounded,
    planes: { searched: planes.length, total },
    twin,
    rotation,
    angle: best.theta,
    maxAngle: best.edge,
    permutation: dist.permutation,
    pairwiseMaxDiff: diffs.pairwise,
    tripletMaxDiff: diffs.triplet,
    tensorMaxDiff: diffs.tensor,
    parameterDiff: { transition: dist.transition, emission: dist.emission, initial: dist.initial },
    spread: Math.max(spread, best.dist),
    farthest: spread >= best.dist ? farthest : tw,
    groups,
    generic,
  };
}

function gramSchmidt(vectors: number[][]): number[][] | undefined {
  const basis: number[][] = [];
  for (const v of vectors) {
    const w = [...v];
    for (const b of basis) {
      const dot = w.reduce((acc, x, i) => acc + x * b[i], 0);
      for (let i = 0; i < w.length; i++) w[i] -= dot * b[i];
    }
    const n = hypot(...w);
    if (n < 1e-9) return undefined;
    basis.push(w.map((x) => x / n));
  }
  return basis;
}
