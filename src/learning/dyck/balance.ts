/**
 * The two numbers the bounded-Dyck experiment reports per trained model (Wen, Li, Liu, Risteski
 * 2023), computed from its attention (inspect.ts) on well-nested prefixes. Tokens follow data.ts:
 * 0..K-1 open bracket type t, K..2K-1 close type t.
 *
 * Balance violation (first layer). The paper's pumping argument: inserting a matched pair
 * "(_t )_t" anywhere in a prefix leaves every later correct next-token set unchanged, so a
 * two-layer model that solves the task at every length must be blind, in what its first layer
 * writes, to such insertions. Its first layer's output at query i is a mix Σ_j α_ij u_j of value
 * contributions, and pumped pairs leave it a function of the position and the depth only when
 * every matched pair (j, m) below i adds one and the same vector per unit of attention mass:
 * α_ij u_j + α_im u_m = (α_ij + α_im) μ_i, whatever the pair's type and place. Yao et al.'s
 * construction (uniform first-layer attention, values ±1 on a depth coordinate) satisfies it
 * exactly, so does a tilt between opens and closes that is blind to the bracket type, and so does
 * any pattern that weighs the two brackets of each pair equally, however irregular across pairs
 * (the "nearly randomised" first layers the paper constructs); a tilt towards one bracket type
 * breaks it. This is our operational reading of the paper's balance condition (its exact statement
 * was not available offline; docs/dyck.md says what is and is not checked: the attention mass of a
 * pair is free here). We measure the departure, per head h and query i, as
 *
 *   Σ_pairs ‖α_ij (u_j − μ) + α_im (u_m − μ)‖  /  Σ_pairs (α_ij ‖u_j − μ‖ + α_im ‖u_m − μ‖)
 *
 * with μ the least-squares neutral vector, summed over heads, queries and sequences before the
 * ratio. By the triangle inequality it lies in [0, 1]: 0 = every pair adds the same vector per
 * unit mass, 1 = the pairs' deviations from it add up with no cancellation at all.
 *
 * Stack distance (any layer). The stack-like (depth-matching) pattern sends query i to the open
 * bracket on top of the stack after token i (the most recent open bracket at i's depth), whose
 * type is the bracket that must close next. The distance of a head's attention row from it is the
 * total variation 1 − α_{i, top(i)}, averaged over queries with a non-empty stack.
 */
import { checkArray, checkInstance, checkInteger, checkNumber, checkObject, fail } from '../../validate/index.js';
import type { AttentionTrace } from './inspect.js';

/** For each position, the position of its matching bracket (−1 if unmatched in the prefix). */
export function matchingBrackets(seq: ArrayLike<number>, K: number): Int32Array {
  checkSeq('matchingBrackets', seq, K);
  const match = new Int32Array(seq.length).fill(-1);
  const stack: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    const a = seq[i];
    if (a < K) stack.push(i);
    else {
      const j = stack.pop();
      if (j === undefined || seq[j] !== a - K) fail('matchingBrackets', `seq is not a well-nested prefix: position ${i} closes ${j === undefined ? 'an empty stack' : `type ${seq[j]} with type ${a - K}`}`);
      match[i] = j;
      match[j] = i;
    }
  }
  return match;
}

/** For each position i, the position of the open bracket on top of the stack after token i (−1: empty). */
export function stackTops(seq: ArrayLike<number>, K: number): Int32Array {
  checkSeq('stackTops', seq, K);
  const top = new Int32Array(seq.length);
  const stack: number[] = [];
  for (let i = 0; i < seq.length; i++) {
    if (seq[i] < K) stack.push(i);
    else stack.pop();
    top[i] = stack.length ? stack[stack.length - 1] : -1;
  }
  return top;
}

function checkSeq(where: string, seq: ArrayLike<number>, K: number): void {
  if (!Number.isInteger(K) || K < 1 || K > 8) fail(where, `K must be an integer in [1, 8], got ${K}`);
  if (!seq || typeof seq.length !== 'number') fail(where, 'seq must be an array of tokens');
  for (let i = 0; i < seq.length; i++) if (!Number.isInteger(seq[i]) || seq[i] < 0 || seq[i] >= 2 * K) fail(where, `seq[${i}] must be a token in [0, ${2 * K}), got ${seq[i]}`);
}

/** Running sums of the balance violation (so many sequences pool into one ratio). */
export interface BalanceSums {
  /** Σ ‖α_j (u_j − μ) + α_m (u_m − μ)‖. */
  residual: number;
  /** Σ α_j ‖u_j − μ‖ + α_m ‖u_m − μ‖. */
  spread: number;
  /** (query, head) rows with at least one closed pair. */
  rows: number;
}

export function emptyBalance(): BalanceSums {
  return { residual: 0, spread: 0, rows: 0 };
}

/** residual / spread; NaN when no pair carried any signal. */
export function balanceRatio(s: BalanceSums): number {
  checkBalanceSums('balanceRatio', s);
  return s.spread > 0 ? s.residual / s.spread : NaN;
}

function checkBalanceSums(where: string, s: unknown): void {
  const o = checkObject(where, 'sums', s);
  for (const k of ['residual', 'spread', 'rows']) checkNumber(where, `sums.${k}`, o[k], 0);
}

function checkHeads(where: string, name: string, v: unknown, size: number): Float64Array[] {
  const a = checkArray(where, name, v, { min: 1, max: 1024 });
  a.forEach((x, h) => {
    checkInstance(where, `${name}[${h}]`, x, Float64Array, 'a Float64Array');
    if ((x as Float64Array).length !== size) fail(where, `${name}[${h}] has ${(x as Float64Array).length} entries, expected ${size}`);
  });
  return a as Float64Array[];
}

/**
 * Adds the balance-violation sums of one sequence to `acc`, from first-layer attention rows
 * `attention[h]` (T·T) and contributions `valueOut[h]` (T·d).
 */
export function addBalance(acc: BalanceSums, seq: ArrayLike<number>, K: number, attention: Float64Array[], valueOut: Float64Array[], d: number): BalanceSums {
  checkBalanceSums('addBalance', acc);
  const match = matchingBrackets(seq, K);
  const T = seq.length;
  checkInteger('addBalance', 'd', d, 1, 1 << 16);
  checkHeads('addBalance', 'attention', attention, T * T);
  checkHeads('addBalance', 'valueOut', valueOut, T * d);
  if (attention.length !== valueOut.length) fail('addBalance', `attention and valueOut must list the same heads, got ${attention.length} and ${valueOut.length}`);
  for (let h = 0; h < attention.length; h++) {
    const A = attention[h], U = valueOut[h];
    const mu = new Float64Array(d);
    const r = new Float64Array(d);
    for (let i = 0; i < T; i++) {
      // Pairs (j, m) with j < m ≤ i: closed before or at i. μ = Σ w_p s_p / Σ w_p² (least squares).
      let ww = 0;
      mu.fill(0);
      for (let m = 1; m <= i; m++) {
        const j = match[m];
        if (j < 0 || j > m) continue;
        const aj = A[i * T + j], am = A[i * T + m], w = aj + am;
        ww += w * w;
        for (let k = 0; k < d; k++) mu[k] += w * (aj * U[j * d + k] + am * U[m * d + k]);
      }
      if (ww === 0) continue;
      for (let k = 0; k < d; k++) mu[k] /= ww;
      let any = false;
      for (let m = 1; m <= i; m++) {
        const j = match[m];
        if (j < 0 || j > m) continue;
        const aj = A[i * T + j], am = A[i * T + m];
        let nj = 0, nm = 0, nr = 0;
        for (let k = 0; k < d; k++) {
          const dj = U[j * d + k] - mu[k], dm = U[m * d + k] - mu[k];
          r[k] = aj * dj + am * dm;
          nj += dj * dj;
          nm += dm * dm;
          nr += r[k] * r[k];
        }
        acc.residual += Math.sqrt(nr);
        acc.spread += aj * Math.sqrt(nj) + am * Math.sqrt(nm);
        any = true;
      }
      if (any) acc.rows++;
    }
  }
  return acc;
}

/** Running sums of 1 − α_{i, top(i)} per layer and head. */
export interface StackSums {
  /** sum[l][h] */
  sum: number[][];
  /** Queries with a non-empty stack. */
  queries: number;
}

export function emptyStack(layers: number, heads: number): StackSums {
  checkInteger('emptyStack', 'layers', layers, 1, 1024);
  checkInteger('emptyStack', 'heads', heads, 1, 1024);
  return { sum: Array.from({ length: layers }, () => new Array<number>(heads).fill(0)), queries: 0 };
}

/** Adds one sequence's stack distances (every layer and head of `trace`) to `acc`. */
export function addStackDistance(acc: StackSums, seq: ArrayLike<number>, K: number, trace: Pick<AttentionTrace, 'attention'>): StackSums {
  const sums = checkStackSums('addStackDistance', acc);
  const top = stackTops(seq, K);
  const T = seq.length;
  const layers = checkArray('addStackDistance', 'trace.attention', checkObject('addStackDistance', 'trace', trace).attention, { exactly: sums.length });
  layers.forEach((l, i) => checkHeads('addStackDistance', `trace.attention[${i}]`, l, T * T));
  layers.forEach((l, i) => {
    if ((l as unknown[]).length !== sums[i].length) fail('addStackDistance', `trace.attention[${i}] has ${(l as unknown[]).length} heads, acc ${sums[i].length}`);
  });
  for (let i = 0; i < T; i++) {
    const j = top[i];
    if (j < 0) continue;
    acc.queries++;
    trace.attention.forEach((layer, l) => layer.forEach((A, h) => (acc.sum[l][h] += 1 - A[i * T + j])));
  }
  return acc;
}

/** Per layer: the mean distance of its most stack-like head and the mean over its heads. */
function checkStackSums(where: string, acc: unknown): number[][] {
  const o = checkObject(where, 'acc', acc);
  checkNumber(where, 'acc.queries', o.queries, 0);
  const sum = checkArray(where, 'acc.sum', o.sum, { min: 1 });
  sum.forEach((h, l) => checkArray(where, `acc.sum[${l}]`, h, { min: 1 }).forEach((x, k) => checkNumber(where, `acc.sum[${l}][${k}]`, x)));
  return sum as number[][];
}

export function stackDistances(acc: StackSums): { best: number; mean: number }[] {
  checkStackSums('stackDistances', acc);
  return acc.sum.map((heads) => {
    const per = heads.map((s) => (acc.queries > 0 ? s / acc.queries : NaN));
    return { best: Math.min(...per), mean: per.reduce((a, b) => a + b, 0) / per.length };
  });
}
