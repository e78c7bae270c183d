/**
 * Sampling from an HMM, seeded: whole sequences, or only the observations at a few positions
 * counted into a d^m table (how the empirical predictors and the triplet tensor are estimated).
 * Every categorical draw uses a Walker/Vose alias table (O(1) per draw: one uniform, one
 * comparison). Counts at a few positions are drawn, by default, straight from the exact joint law
 * of those observations (one alias draw per sample over d^m outcomes): the count table is then
 * Multinomial(n, P) exactly as when running the chain, at a sixth of the draws for triples.
 */
import { Rng } from '../random/prng.js';
import type { Mat } from './linalg.js';
import { checkJointSize, distinctPositions, exactJoint, type Joint } from './predictors.js';
import { checkHmm, HMMError, type HMM } from './types.js';
import { checkFunction, checkOneOf } from '../validate/index.js';

/** Alias tables for the rows of a row-stochastic matrix (Vose's method). */
export class AliasTable {
  readonly rows: number;
  readonly n: number;
  /** prob[r*n + i]: keep column i with this probability, else take alias[r*n + i]. */
  readonly prob: Float64Array;
  readonly alias: Int32Array;

  constructor(matrix: Mat) {
    this.rows = matrix.length;
    this.n = matrix[0].length;
    const n = this.n;
    this.prob = new Float64Array(this.rows * n);
    this.alias = new Int32Array(this.rows * n);
    const small: number[] = [], large: number[] = [];
    const scaled = new Float64Array(n);
    for (let r = 0; r < this.rows; r++) {
      const row = matrix[r];
      const total = row.reduce((a, b) => a + b, 0);
      small.length = 0;
      large.length = 0;
      for (let i = 0; i < n; i++) {
        scaled[i] = (row[i] / total) * n;
        (scaled[i] < 1 ? small : large).push(i);
      }
      while (small.length && large.length) {
        const s = small.pop()!, l = large.pop()!;
        this.prob[r * n + s] = scaled[s];
        this.alias[r * n + s] = l;
        scaled[l] = scaled[l] + scaled[s] - 1;
        (scaled[l] < 1 ? small : large).push(l);
      }
      // Leftovers are 1 up to rounding.
      for (const i of large) (this.prob[r * n + i] = 1), (this.alias[r * n + i] = i);
      for (const i of small) (this.prob[r * n + i] = 1), (this.alias[r * n + i] = i);
    }
  }

  /** One draw from row r. */
  draw(rng: Rng, r: number): number {
    const x = rng.nextFloat() * this.n;
    const i = Math.floor(x);
    const o = r * this.n + i;
    return x - i < this.prob[o] ? i : this.alias[o];
  }
}

export interface HMMSequences {
  /** count × length observations, sequence s at [s*length, (s+1)*length). */
  observations: Int32Array;
  /** The hidden states, same layout. */
  hidden: Int32Array;
  length: number;
  count: number;
}

function checkCount(name: string, n: number, max = 2 ** 31): void {
  if (!Number.isInteger(n) || n < 1 || n > max) throw new HMMError(`${name} must be an integer in [1, ${max}], got ${n}`);
}

/** `count` independent sequences of `length` steps (h_1 ~ initial). */
export function sampleSequences(hmm: HMM, length: number, count: number, seed = 0): HMMSequences {
  checkHmm('sampleSequences', hmm);
  checkCount('length', length);
  checkCount('count', count);
  if (length * count > 2 ** 28) throw new HMMError(`length × count = ${length * count} is too many observations to hold (max 2^28)`);
  const rng = new Rng(seed);
  const init = new AliasTable([hmm.initial]);
  const trans = new AliasTable(hmm.transition);
  const emit = new AliasTable(hmm.emission);
  const observations = new Int32Array(length * count);
  const hidden = new Int32Array(length * count);
  for (let s = 0; s < count; s++) {
    let h = init.draw(rng, 0);
    for (let t = 0; t < length; t++) {
      if (t > 0) h = trans.draw(rng, h);
      hidden[s * length + t] = h;
      observations[s * length + t] = emit.draw(rng, h);
    }
  }
  return { observations, hidden, length, count };
}

/**
 * Counts of the observations at `positions` (1-based) over n independent sequences, as a d^m
 * table in the layout of `Joint.probs`. Method 'joint' (default when d^m ≤ 65536) draws each
 * sample from the exact joint law at those positions; 'chain' runs the hidden chain up to the
 * last position and draws only the observations asked for. Same distribution, different streams.
 * `onProgress(done, n)` is called every 2^20 samples.
 */
export type CountMethod = 'joint' | 'chain';

/** The chain method's bounds: the last position (its walk and a flag per step) and n × last steps (minutes). */
export const MAX_CHAIN_POSITION = 2 ** 26;
export const MAX_CHAIN_STEPS = 2 ** 36;

export function sampleCounts(hmm: HMM, positions: readonly number[], n: number, seed = 0, onProgress?: (done: number, total: number) => void, method?: CountMethod): Float64Array {
  checkSamplingArgs('sampleCounts', hmm, onProgress, method);
  const ps = distinctPositions(positions);
  checkCount('samples', n, 2 ** 40);
  const { d } = hmm;
  const m = ps.length;
  checkJointSize(d, m);
  const counts = new Float64Array(Math.pow(d, m));
  const last = ps[ps.length - 1];
  const rng = new Rng(seed);
  const CHUNK = 1 << 20;
  const how = method ?? (counts.length <= 1 << 16 ? 'joint' : 'chain');
  if (how === 'chain') {
    // The chain walks every step up to the last position, for every sample: bound both.
    if (last > MAX_CHAIN_POSITION) throw new HMMError(`sampleCounts: the chain method walks every step up to position ${last}; at most ${MAX_CHAIN_POSITION} (method 'joint' samples far positions from their exact joint law)`);
    if (last * n > MAX_CHAIN_STEPS) throw new HMMError(`sampleCounts: the chain method would take n × last position = ${n} × ${last} = ${last * n} steps; at most 2^36 = ${MAX_CHAIN_STEPS}`);
  }
  if (how === 'joint') {
    const table = new AliasTable([Array.from(exactJoint(hmm, ps).probs)]);
    const prob = table.prob, alias = table.alias, size = table.n;
    for (let done = 0; done < n; ) {
      const stop = Math.min(n, done + CHUNK);
      for (let s = done; s < stop; s++) {
        const x = rng.nextFloat() * size;
        const i = x | 0;
        counts[x - i < prob[i] ? i : alias[i]]++;
      }
      done = stop;
      onProgress?.(done, n);
    }
    return counts;
  }
  const record = new Int8Array(last + 1);
  for (const p of ps) record[p] = 1;
  const init = new AliasTable([hmm.initial]);
  const trans = new AliasTable(hmm.transition);
  const emit = new AliasTable(hmm.emission);
  // Hot loop: alias draws inlined on the flat tables.
  const tp = trans.prob, ta = trans.alias, kn = trans.n;
  const ep = emit.prob, ea = emit.alias, dn = emit.n;
  for (let done = 0; done < n; ) {
    const stop = Math.min(n, done + CHUNK);
    for (let s = done; s < stop; s++) {
      let h = init.draw(rng, 0);
      let idx = 0;
      for (let t = 1; t <= last; t++) {
        if (t > 1) {
          const x = rng.nextFloat() * kn;
          const i = x | 0;
          const o = h * kn + i;
          h = x - i < tp[o] ? i : ta[o];
        }
        if (record[t]) {
          const x = rng.nextFloat() * dn;
          const i = x | 0;
          const o = h * dn + i;
          idx = idx * d + (x - i < ep[o] ? i : ea[o]);
        }
      }
      counts[idx]++;
    }
    done = stop;
    onProgress?.(done, n);
  }
  return counts;
}

/** The empirical joint law at `positions` from n sampled sequences. */
export function empiricalJoint(hmm: HMM, positions: readonly number[], n: number, seed = 0, onProgress?: (done: number, total: number) => void, method?: CountMethod): Joint {
  checkSamplingArgs('empiricalJoint', hmm, onProgress, method);
  const counts = sampleCounts(hmm, positions, n, seed, onProgress, method);
  for (let i = 0; i < counts.length; i++) counts[i] /= n;
  return { positions: distinctPositions(positions), d: hmm.d, probs: counts, samples: n };
}

function checkSamplingArgs(where: string, hmm: HMM, onProgress: unknown, method: unknown): void {
  checkHmm(where, hmm);
  if (onProgress !== undefined) checkFunction(where, 'onProgress', onProgress);
  if (method !== undefined) checkOneOf(where, 'method', method, ['joint', 'chain'] as const);
}
