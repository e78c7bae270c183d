/**
 * Seeded letter sampling (shared/spec/zoo.md, "Sampling"): i.i.d. uniform over Σ by default;
 * Bernoulli(p) for letter 1 of a two-letter automaton (`parity`, `gridworld`: p = 0.5 unless given);
 * `flipflop` writes with probability 0.5 (value uniform) and reads otherwise; or any explicit
 * distribution over Σ.
 *
 * Everything is integer arithmetic on Rng.nextU32 (no floating-point comparisons of draws), so the
 * same seed gives the same letters in Node and in every browser. The stream is prefix-stable:
 * the first T letters do not depend on how many more are drawn. Hot paths (used by the T = 10^8
 * simulation benchmark):
 *  - |Σ| = 2^b: b bits per letter, ⌊32/b⌋ letters per 32-bit draw (32 per draw for two letters);
 *  - other |Σ|: Lemire's multiply-shift with rejection on 16-bit halves, two letters per draw;
 *  - Bernoulli(p ≠ 1/2) and distributions: one draw per letter against 32-bit integer thresholds.
 */
import { Rng } from '../random/prng.js';
import type { Automaton } from './types.js';
import { checkAutomatonShape, numLetters } from './types.js';
import { AutomatonError } from './validate.js';
import { checkInteger, checkOptions } from '../validate/index.js';

export interface SampleOptions {
  /** Seed of the Rng (any finite number). */
  seed: number;
  /** Bernoulli(p) for letter 1 (two-letter automata only). */
  p?: number;
  /** P(letter ≠ 0): letter 0 (read) with probability 1 - writeRate, else uniform over 1..|Σ|-1. */
  writeRate?: number;
  /** Explicit weights over Σ (length |Σ|, non-negative, not all zero; normalised here). */
  distribution?: readonly number[];
  /**
   * Write into this array instead of allocating (e.g. a view of kernel memory, saving a copy of
   * T bytes at T = 10^8). Its length must be T and its type the one letterArray(|Σ|, T) gives.
   */
  out?: Uint8Array | Uint16Array;
}

/** The rule sampleLetters applies, for logs and JSON outputs. */
export type SamplingRule =
  | { kind: 'uniform'; letters: number }
  | { kind: 'bernoulli'; p: number }
  | { kind: 'write'; writeRate: number; letters: number }
  | { kind: 'distribution'; weights: number[] };

const TWO32 = 4294967296;

/** Largest T sampled in one call (typed-array length limit with margin). */
export const MAX_SAMPLE_LENGTH = 2 ** 32 - 1;

function family(a: Automaton): string {
  return a.name.split(':')[0];
}

/** Which distribution sampleLetters uses for `a` under `opts` (validating the options). */
export function samplingRule(a: Automaton, opts: Omit<SampleOptions, 'seed'> = {}): SamplingRule {
  checkAutomatonShape('samplingRule', a, 'a');
  checkOptions('samplingRule', opts, 'opts');
  const k = numLetters(a);
  const given = (['p', 'writeRate', 'distribution'] as const).filter((x) => opts[x] !== undefined);
  if (given.length > 1) throw new AutomatonError(`sampleLetters: give at most one of p, writeRate, distribution (got ${given.join(', ')})`);
  if (opts.distribution !== undefined) {
    const w = opts.distribution;
    if (!Array.isArray(w) || w.length !== k) throw new AutomatonError(`sampleLetters: distribution has length ${Array.isArray(w) ? w.length : String(w)}, expected ${k} (|Σ| of ${a.name})`);
    w.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new AutomatonError(`sampleLetters: distribution[${i}] = ${x} is not a non-negative number`);
    });
    const s = w.reduce((x, y) => x + y, 0);
    if (!(s > 0)) throw new AutomatonError('sampleLetters: distribution sums to 0');
    return { kind: 'distribution', weights: w.map((x) => x / s) };
  }
  if (opts.p !== undefined) {
    if (k !== 2) throw new AutomatonError(`sampleLetters: p applies to two-letter automata, ${a.name} has |Σ| = ${k}`);
    if (typeof opts.p !== 'number' || !(opts.p >= 0 && opts.p <= 1)) throw new AutomatonError(`sampleLetters: p = ${opts.p} is not a probability in [0, 1]`);
    return { kind: 'bernoulli', p: opts.p };
  }
  if (opts.writeRate !== undefined) {
    if (k < 2) throw new AutomatonError(`sampleLetters: writeRate needs at least two letters, ${a.name} has |Σ| = ${k}`);
    const w = opts.writeRate;
    if (typeof w !== 'number' || !(w >= 0 && w <= 1)) throw new AutomatonError(`sampleLetters: writeRate = ${w} is not a probability in [0, 1]`);
    return { kind: 'write', writeRate: w, letters: k };
  }
  if (family(a) === 'flipflop' && k >= 2) return { kind: 'write', writeRate: 0.5, letters: k };
  if ((family(a) === 'parity' || family(a) === 'gridworld') && k === 2) return { kind: 'bernoulli', p: 0.5 };
  return { kind: 'uniform', letters: k };
}

/** Integer threshold for "u32 < thr" having probability p (exact at 2^-32). */
function threshold(p: number): number {
  return Math.min(TWO32, Math.max(0, Math.round(p * TWO32)));
}

/** A letter array for |Σ| = k: uint8 when k ≤ 256, else uint16. */
export function letterArray(k: number, T: number): Uint8Array | Uint16Array {
  checkInteger('letterArray', 'k', k, 1, 65536);
  checkInteger('letterArray', 'T', T, 0, MAX_SAMPLE_LENGTH);
  return k <= 256 ? new Uint8Array(T) : new Uint16Array(T);
}

/** Uniform letters in [0, k): the bit path for powers of two, else 16-bit Lemire. */
function fillUniform(rng: Rng, k: number, out: Uint8Array | Uint16Array, from: number, to: number): void {
  if (k === 1) {
    out.fill(0, from, to);
    return;
  }
  if ((k & (k - 1)) === 0) {
    const b = 31 - Math.clz32(k);
    const L = Math.floor(32 / b);
    const mask = k - 1;
    let t = from;
    const full = to - ((to - from) % L);
    if (b === 1) {
      while (t < full) {
        const x = rng.nextU32();
        for (let j = 0; j < 32; j++) out[t + j] = (x >>> j) & 1;
        t += 32;
      }
    } else {
      while (t < full) {
        let x = rng.nextU32();
        for (let j = 0; j < L; j++) {
          out[t++] = x & mask;
          x >>>= b;
        }
      }
    }
    if (t < to) {
      let x = rng.nextU32();
      while (t < to) {
        out[t++] = x & mask;
        x >>>= b;
      }
    }
    return;
  }
  // Lemire: m = h·k for a 16-bit h; accept when (m mod 2^16) ≥ 2^16 mod k; the letter is ⌊m / 2^16⌋.
  const thr = 65536 % k;
  let t = from;
  while (t < to) {
    const x = rng.nextU32();
    let m = (x & 0xffff) * k;
    if ((m & 0xffff) >= thr) out[t++] = m >>> 16;
    if (t < to) {
      m = (x >>> 16) * k;
      if ((m & 0xffff) >= thr) out[t++] = m >>> 16;
    }
  }
}

/**
 * T letters for `a`, seeded: a Uint8Array when |Σ| ≤ 256, else a Uint16Array. The rule is
 * `samplingRule(a, opts)`: uniform by default, Bernoulli(p), flip-flop writes, or `distribution`.
 */
export function sampleLetters(a: Automaton, T: number, opts: SampleOptions): Uint8Array | Uint16Array {
  if (!Number.isInteger(T) || T < 0 || T > MAX_SAMPLE_LENGTH) throw new AutomatonError(`sampleLetters: T = ${T} must be an integer in [0, ${MAX_SAMPLE_LENGTH}]`);
  if (opts === undefined || typeof opts.seed !== 'number' || !Number.isFinite(opts.seed)) {
    throw new AutomatonError(`sampleLetters: seed = ${opts?.seed} must be a finite number`);
  }
  const rule = samplingRule(a, opts);
  const k = numLetters(a);
  let out: Uint8Array | Uint16Array;
  if (opts.out !== undefined) {
    const want = k <= 256 ? Uint8Array : Uint16Array;
    if (!(opts.out instanceof want) || opts.out.length !== T) {
      throw new AutomatonError(`sampleLetters: out must be a ${want.name} of length T = ${T} for |Σ| = ${k}, got ${opts.out?.constructor?.name} of length ${opts.out?.length}`);
    }
    out = opts.out;
  } else out = letterArray(k, T);
  const rng = new Rng(opts.seed);
  switch (rule.kind) {
    case 'uniform':
      fillUniform(rng, k, out, 0, T);
      break;
    case 'bernoulli': {
      const thr = threshold(rule.p);
      if (thr === TWO32 / 2) fillUniform(rng, 2, out, 0, T); // p = 1/2: 32 letters per draw, same stream as uniform
      else for (let t = 0; t < T; t++) out[t] = rng.nextU32() < thr ? 1 : 0;
      break;
    }
    case 'write': {
      const thr = threshold(rule.writeRate);
      const values = k - 1;
      const vthr = 65536 % values;
      for (let t = 0; t < T; t++) {
        if (rng.nextU32() >= thr) {
          out[t] = 0;
        } else if (values === 1) {
          out[t] = 1;
        } else {
          for (;;) {
            const m = (rng.nextU32() >>> 16) * values;
            if ((m & 0xffff) >= vthr) {
              out[t] = 1 + (m >>> 16);
              break;
            }
          }
        }
      }
      break;
    }
    case 'distribution': {
      // Cumulative 32-bit thresholds; letter = first i with u < cum[i] (binary search).
      const cum = new Float64Array(k);
      let s = 0;
      for (let i = 0; i < k; i++) {
        s += rule.weights[i];
        cum[i] = Math.min(TWO32, Math.round(s * TWO32));
      }
      // The last letter of positive weight closes the interval (no rounding gap at the top).
      let last = k - 1;
      while (rule.weights[last] === 0) last--;
      for (let i = last; i < k; i++) cum[i] = TWO32;
      for (let t = 0; t < T; t++) {
        const u = rng.nextU32();
        let lo = 0;
        let hi = k - 1;
        while (lo < hi) {
          const mid = (lo + hi) >>> 1;
          if (u < cum[mid]) hi = mid;
          else lo = mid + 1;
        }
        out[t] = lo;
      }
      break;
    }
  }
  return out;
}
