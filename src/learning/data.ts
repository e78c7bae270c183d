/**
 * Training data from an automaton: batches of letter sequences σ_1..σ_T and their per-position
 * labels label(q_t), q_t = δ(q_{t-1}, σ_t). Every batch is a pure function of (seed, stream,
 * index), so training draws a fresh batch each step, resuming needs no data state, and evaluation
 * batches come from a separate stream (held out). Out-of-distribution variants change the
 * Bernoulli p of two-letter automata or the length T.
 */
import type { Automaton } from '../automata/types.js';
import { numLetters } from '../automata/types.js';
import { labelsOf, numClasses as countClasses } from '../automata/labels.js';
import { sampleLetters } from '../automata/sample.js';
import { Rng } from '../random/prng.js';

export interface Task {
  readonly automaton: Automaton;
  /** Sequence length T. */
  readonly length: number;
  /** P(letter 1) for two-letter automata (parity, gridworld, cyclic, dihedral); default: the
   *  zoo's rule (uniform; flipflop writes w.p. 1/2, value uniform). */
  readonly p?: number;
}

export interface Batch {
  readonly batch: number;
  readonly length: number;
  /** (B·T) letters, row-major (B, T). */
  readonly letters: Int32Array;
  /** (B·T) labels. */
  readonly labels: Int32Array;
}

/** Number of label classes: max label + 1 (labels default to the state). */
export function numClasses(a: Automaton): number {
  return countClasses(labelsOf(a));
}

export function validateTask(t: Task): void {
  if (!Number.isInteger(t.length) || t.length < 1) throw new Error(`length must be an integer ≥ 1, got ${t.length}`);
  if (t.p !== undefined && !(t.p >= 0 && t.p <= 1)) throw new Error(`p must be in [0, 1], got ${t.p}`);
  if (t.p !== undefined && numLetters(t.automaton) !== 2) {
    throw new Error(`p applies to two-letter automata; ${t.automaton.name} has ${numLetters(t.automaton)} letters`);
  }
}

/** A batch of B sequences; sequence b uses the letter stream seeded by the b-th draw of `rng`
 *  (the zoo's sampling rule: uniform, Bernoulli(p) for two letters, flip-flop writes). */
export function sampleBatch(t: Task, B: number, rng: Rng): Batch {
  const a = t.automaton;
  const T = t.length;
  const labelOf = labelsOf(a);
  const letters = new Int32Array(B * T);
  const labels = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const seq = sampleLetters(a, T, { seed: rng.nextU32(), ...(t.p !== undefined ? { p: t.p } : {}) });
    let q = a.start ?? 0;
    for (let i = 0; i < T; i++) {
      const s = seq[i];
      q = a.delta[s][q];
      letters[b * T + i] = s;
      labels[b * T + i] = labelOf[q];
    }
  }
  return { batch: B, length: T, letters, labels };
}

const TRAIN_STREAM = 0x7a11;
const EVAL_STREAM = 0xe7a1;

/** The training batch of step `step` (fresh each step, reproducible from the seed). */
export function trainBatch(t: Task, B: number, seed: number, step: number): Batch {
  return sampleBatch(t, B, new Rng(seed ^ TRAIN_STREAM).fork(step));
}

/** `count` held-out evaluation batches (a stream disjoint from training's). */
export function evalBatches(t: Task, B: number, count: number, seed: number): Batch[] {
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) out.push(sampleBatch(t, B, new Rng(seed ^ EVAL_STREAM).fork(i)));
  return out;
}
