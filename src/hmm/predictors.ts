/**
 * Masked-prediction predictors of an HMM, exact or estimated from samples.
 *
 * Under squared loss on one-hot vectors the optimal predictor of x_j from x_i is the conditional
 * mean E[x_j | x_i] = P(x_j = · | x_i), a d×d row-stochastic matrix (row a: given x_i = a), and
 * the optimal predictor of x_j ⊗ x_l from x_i is E[x_j ⊗ x_l | x_i] = P(x_j = ·, x_l = · | x_i),
 * a d×d×d tensor. The triplet tensor of the paper is W = Σ_a e_a ⊗ E[x_2 ⊗ x_3 | x_1 = a].
 *
 * Everything is computed from a `Joint`: the joint law of the observations at a few positions,
 * exact (forward recursion) or empirical (normalised counts of sampled sequences).
 */
import { matpow, type Mat } from './linalg.js';
import type { Tensor3 } from './tensor.js';
import { checkHmm, hiddenMarginal, HMMError, type HMM } from './types.js';
import { checkArray, checkInteger, checkNumbers, checkObject, fail } from '../validate/index.js';

/** Joint law of (x_p for p in positions); positions strictly increasing, 1-based. */
export interface Joint {
  readonly positions: number[];
  readonly d: number;
  /** probs[Σ_r x_r d^(m-1-r)] = P(x_{p_1} = x_1, …, x_{p_m} = x_m). */
  readonly probs: Float64Array;
  /** Number of samples it was estimated from (undefined when exact). */
  readonly samples?: number;
}

/**
 * Largest joint table (entries × hidden states while computing it) we build: 2^26 doubles is
 * 512 MiB. Without this check a large d fails deep inside as "Invalid typed array length".
 */
export const MAX_JOINT_ENTRIES = 2 ** 26;

/** Throws a clear error when the joint law of m positions over d symbols (k hidden states) is too large. */
export function checkJointSize(d: number, m: number, k = 1): void {
  if (Math.pow(d, m) * k > MAX_JOINT_ENTRIES) {
    throw new HMMError(`joint of ${m} positions over d = ${d} is too large (${d}^${m}${k > 1 ? ` × k = ${k}` : ''} entries, max 2^26)`);
  }
}

/** Checks 1-based integer positions and returns them sorted without repeats. */
export function distinctPositions(positions: readonly number[]): number[] {
  checkArray('distinctPositions', 'positions', positions);
  if (positions.length === 0) throw new HMMError('positions is empty');
  positions.forEach((p, i) => {
    if (!Number.isInteger(p) || p < 1) throw new HMMError(`positions[${i}] = ${p}: positions are 1-based integers ≥ 1`);
  });
  return [...new Set(positions)].sort((a, b) => a - b);
}

/**
 * The exact joint law at strictly increasing positions by the forward recursion:
 * α(x_{p_1..p_r}, h_{p_r}) carried from one position to the next by T^(gap).
 */
export function exactJoint(hmm: HMM, positions: readonly number[]): Joint {
  checkHmm('exactJoint', hmm);
  const ps = distinctPositions(positions);
  const { k, d, emission } = hmm;
  checkJointSize(d, ps.length, k);
  let alpha: Float64Array = Float64Array.from(hiddenMarginal(hmm, ps[0])); // (1, k)
  let rows = 1;
  for (let r = 0; r < ps.length; r++) {
    // Observe x at this position: (rows, k) → (rows·d, k).
    const next = new Float64Array(rows * d * k);
    for (let idx = 0; idx < rows; idx++)
      for (let x = 0; x < d; x++)
        for (let h = 0; h < k; h++) next[(idx * d + x) * k + h] = alpha[idx * k + h] * emission[h][x];
    alpha = next;
    rows *= d;
    if (r + 1 < ps.length) alpha = propagate(alpha, rows, hmm, ps[r + 1] - ps[r]);
  }
  const probs = new Float64Array(rows);
  for (let idx = 0; idx < rows; idx++) {
    let s = 0;
    for (let h = 0; h < k; h++) s += alpha[idx * k + h];
    probs[idx] = s;
  }
  return { positions: ps, d, probs };
}

/**
 * α ← α T^gap row by row (α is rows×k). T^gap by repeated squaring: k³ log(gap) work instead of
 * gap steps, so positions like 1 and 10^9 cost no more than 1 and 2.
 */
function propagate(alpha: Float64Array, rows: number, hmm: HMM, gap: number): Float64Array {
  const { k } = hmm;
  const tg = matpow(hmm.transition, gap);
  const b = new Float64Array(rows * k);
  for (let idx = 0; idx < rows; idx++)
    for (let i = 0; i < k; i++) {
      const v = alpha[idx * k + i];
      if (v === 0) continue;
      const ti = tg[i];
      for (let j = 0; j < k; j++) b[idx * k + j] += v * ti[j];
    }
  return b;
}

/** Where position p sits among the joint's positions (its digit in the flat index). */
function slotOf(joint: Joint, p: number): number {
  const r = joint.positions.indexOf(p);
  if (r < 0) throw new HMMError(`position ${p} is not among the joint's positions [${joint.positions.join(', ')}]`);
  return r;
}

/**
 * Sums the joint's probabilities into a table indexed by the digits `slots` (in that order; a slot
 * may repeat, which puts the mass on a diagonal): out[Σ_s x_{slots[s]} d^(n-1-s)] += probs[x].
 */
function regroup(joint: Joint, slots: readonly number[]): Float64Array {
  const { d } = joint;
  const m = joint.positions.length;
  const out = new Float64Array(Math.pow(d, slots.length));
  const digits = new Array<number>(m).fill(0);
  for (let idx = 0; idx < joint.probs.length; idx++) {
    let rest = idx;
    for (let r = m - 1; r >= 0; r--) {
      digits[r] = rest % d;
      rest = Math.floor(rest / d);
    }
    let o = 0;
    for (const r of slots) o = o * d + digits[r];
    out[o] += joint.probs[idx];
  }
  return out;
}

/** The joint restricted (marginalised) to a subset of its positions. */
export function marginalJoint(joint: Joint, keep: readonly number[]): Joint {
  checkJoint('marginalJoint', joint);
  const ks = distinctPositions(keep);
  return { positions: ks, d: joint.d, probs: regroup(joint, ks.map((p) => slotOf(joint, p))), samples: joint.samples };
}

/**
 * P(x_{targets} = · | x_given = a) as a flat array over d^(1+targets.length), the given value
 * first. Positions may repeat (then the moment lives on a diagonal). Rows whose conditioning
 * event has probability 0 (never observed, in a sample) are all zeros.
 */
export function conditionalMoment(joint: Joint, given: number, targets: readonly number[]): Float64Array {
  checkJoint('conditionalMoment', joint);
  checkArray('conditionalMoment', 'targets', targets);
  const order = [given, ...targets];
  distinctPositions(order); // validates the positions
  const { d } = joint;
  // One pass over the joint, straight into the (given, targets...) layout.
  const out = regroup(joint, order.map((p) => slotOf(joint, p)));
  const size = out.length;
  const block = size / d;
  for (let a = 0; a < d; a++) {
    let s = 0;
    for (let t = 0; t < block; t++) s += out[a * block + t];
    if (s > 0) for (let t = 0; t < block; t++) out[a * block + t] /= s;
  }
  return out;
}

/** E[x_j | x_i] as a d×d matrix (row a = P(x_j = · | x_i = a)). */
export function pairwisePredictor(joint: Joint, i: number, j: number): Mat {
  checkJoint('pairwisePredictor', joint);
  const flat = conditionalMoment(joint, i, [j]);
  const d = joint.d;
  return Array.from({ length: d }, (_, a) => Array.from(flat.subarray(a * d, (a + 1) * d)));
}

/** E[x_j ⊗ x_l | x_i] as a d×d×d tensor ([a, b, c] = P(x_j = b, x_l = c | x_i = a)). */
export function tripletPredictor(joint: Joint, i: number, j: number, l: number): Tensor3 {
  checkJoint('tripletPredictor', joint);
  const d = joint.d;
  return { dims: [d, d, d], data: conditionalMoment(joint, i, [j, l]) };
}

/** Exact E[x_j | x_i] for any positions (1-based). */
export function exactPairwise(hmm: HMM, i: number, j: number): Mat {
  checkHmm('exactPairwise', hmm);
  return pairwisePredictor(exactJoint(hmm, [i, j]), i, j);
}

/** Exact E[x_j ⊗ x_l | x_i] for any positions. */
export function exactTriplet(hmm: HMM, i: number, j: number, l: number): Tensor3 {
  checkHmm('exactTriplet', hmm);
  return tripletPredictor(exactJoint(hmm, [i, j, l]), i, j, l);
}

/** W = Σ_{x1} e_{x1} ⊗ E[x_2 ⊗ x_3 | x_1] from a joint over positions including 1, 2, 3. */
export function tripletTensor(joint: Joint): Tensor3 {
  checkJoint('tripletTensor', joint);
  return tripletPredictor(joint, 1, 2, 3);
}

/** All ordered pairs (i, j), i ≠ j, among `positions`, with their predictors from one joint. */
export function allPairwise(joint: Joint, positions: readonly number[] = joint?.positions): { i: number; j: number; predictor: Mat }[] {
  checkJoint('allPairwise', joint);
  checkArray('allPairwise', 'positions', positions);
  const out: { i: number; j: number; predictor: Mat }[] = [];
  for (const i of positions) for (const j of positions) if (i !== j) out.push({ i, j, predictor: pairwisePredictor(joint, i, j) });
  return out;
}

/** max |a − b| over two equally shaped flat arrays (predictor tensors). */
export function maxTensorDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  checkNumbers('maxTensorDiff', 'a', a);
  checkNumbers('maxTensorDiff', 'b', b);
  if (a.length !== b.length) throw new HMMError(`cannot compare tensors of ${a.length} and ${b.length} entries`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Checks a Joint handed to an exported function: positions, d and a probs table of d^m entries. */
export function checkJoint(where: string, joint: unknown): Joint {
  const o = checkObject(where, 'joint', joint);
  const positions = checkNumbers(where, 'joint.positions', o.positions, { minLength: 1, integer: true, min: 1 });
  for (let r = 1; r < positions.length; r++) if (positions[r] <= positions[r - 1]) fail(where, `joint.positions must be strictly increasing, got [${Array.from(positions).join(', ')}]`);
  const d = checkInteger(where, 'joint.d', o.d, 1);
  if (!(o.probs instanceof Float64Array)) fail(where, `joint.probs must be a Float64Array, got ${o.probs === undefined ? 'undefined' : typeof o.probs}`);
  const want = Math.pow(d, positions.length);
  if ((o.probs as Float64Array).length !== want) fail(where, `joint.probs has ${(o.probs as Float64Array).length} entries, expected d^m = ${d}^${positions.length} = ${want}`);
  return joint as Joint;
}
