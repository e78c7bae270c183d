/**
 * Training data from an automaton: batches of letter sequences σ_1..σ_T and their per-position
 * labels label(q_t), q_t = δ(q_{t-1}, σ_t). Every batch is a pure function of (seed, stream,
 * index), so training draws a fresh batch each step, resuming needs no data state, and evaluation
 * batches come from a separate stream (held out). Out-of-distribution variants change the
 * Bernoulli p of two-letter automata or the length T.
 */
import type { Automaton } from '../automata/types.js';
import { checkAutomatonShape, numLetters } from '../automata/types.js';
import { checkArray, checkInstance, checkInteger, checkObject, fail } from '../validate/index.js';
import { labelsOf, numClasses as countClasses } from '../automata/labels.js';
import { sampleLetters } from '../automata/sample.js';
import { zoo } from '../automata/zoo.js';
import { Rng } from '../random/prng.js';

export interface Task {
  readonly automaton: Automaton;
  /** Sequence length T. */
  readonly length: number;
  /** P(letter 1) for two-letter automata (parity, gridworld, cyclic, dihedral); default: the
   *  zoo's rule (uniform; flipflop writes w.p. 1/2, value uniform). */
  readonly p?: number;
  /** Sample only prefixes of the language: each letter uniform among those that keep the run out
   *  of the automaton's reject sink (bounded Dyck: well-nested prefixes of depth ≤ M, so the model
   *  must track the stack instead of learning that almost everything falls into the sink). */
  readonly validPrefixes?: boolean;
}

export interface Batch {
  readonly batch: number;
  readonly length: number;
  /** (B·T) letters, row-major (B, T). */
  readonly letters: Int32Array;
  /** (B·T) labels; -1 marks a position that is not scored (FFL: everything but the bits after r). */
  readonly labels: Int32Array;
}

/** Number of label classes: max label + 1 (labels default to the state). */
export function numClasses(a: Automaton): number {
  return countClasses(labelsOf(a));
}

export function validateTask(t: Task): void {
  checkObject('validateTask', 't', t);
  checkAutomatonShape('validateTask', t.automaton, 't.automaton');
  if (!Number.isInteger(t.length) || t.length < 1) throw new Error(`length must be an integer ≥ 1, got ${t.length}`);
  if (t.p !== undefined && !(t.p >= 0 && t.p <= 1)) throw new Error(`p must be in [0, 1], got ${t.p}`);
  if (t.p !== undefined && numLetters(t.automaton) !== 2) {
    throw new Error(`p applies to two-letter automata; ${t.automaton.name} has ${numLetters(t.automaton)} letters`);
  }
  if (t.validPrefixes) {
    if (t.p !== undefined) throw new Error('validPrefixes and p cannot be combined (valid prefixes draw letters uniformly among the allowed ones)');
    rejectSink(t.automaton);
  }
}

/**
 * The reject sink: the one absorbing state (every letter maps it to itself) other than the start.
 * Throws when there is none or several, since "valid prefix" is then undefined.
 */
export function rejectSink(a: Automaton): number {
  checkAutomatonShape('rejectSink', a, 'a');
  const n = a.delta[0]?.length ?? 0;
  const start = a.start ?? 0;
  const sinks: number[] = [];
  for (let q = 0; q < n; q++) if (q !== start && a.delta.every((row) => row[q] === q)) sinks.push(q);
  if (sinks.length !== 1) {
    throw new Error(`validPrefixes needs an automaton with exactly one reject sink (an absorbing state other than the start); ${a.name} has ${sinks.length}${sinks.length ? ` (states ${sinks.join(', ')})` : ''}`);
  }
  // Every reachable non-sink state must have a letter that avoids the sink, or sampling gets stuck.
  const seen = new Uint8Array(n);
  const stack = [start];
  seen[start] = 1;
  while (stack.length) {
    const q = stack.pop()!;
    let ok = false;
    for (const row of a.delta) {
      const r = row[q];
      if (r === sinks[0]) continue;
      ok = true;
      if (!seen[r]) {
        seen[r] = 1;
        stack.push(r);
      }
    }
    if (!ok) throw new Error(`validPrefixes: from state ${q} of ${a.name} every letter enters the reject sink ${sinks[0]}`);
  }
  return sinks[0];
}

/** Per state, the letters that keep a run out of the reject sink (computed once per batch, not per
 *  letter; not cached across calls, since δ may be edited in place between them). */
function validLetters(a: Automaton): Int32Array[] {
  const sink = rejectSink(a);
  const letters = Int32Array.from(a.delta.keys());
  return a.delta[0].map((_, q) => letters.filter((s) => a.delta[s][q] !== sink));
}

/** Letters of one valid prefix of length T: each uniform among the letters avoiding the sink. */
function sampleValidPrefix(a: Automaton, allowed: Int32Array[], T: number, rng: Rng): Uint8Array | Uint16Array {
  const seq = a.delta.length <= 256 ? new Uint8Array(T) : new Uint16Array(T);
  let q = a.start ?? 0;
  for (let i = 0; i < T; i++) {
    const choices = allowed[q];
    const s = choices[rng.nextInt(choices.length)];
    seq[i] = s;
    q = a.delta[s][q];
  }
  return seq;
}

/** A batch of B sequences; sequence b uses the letter stream seeded by the b-th draw of `rng`
 *  (the zoo's sampling rule: uniform, Bernoulli(p) for two letters, flip-flop writes; or valid
 *  prefixes). */
export function sampleBatch(t: Task, B: number, rng: Rng): Batch {
  checkBatchArgs('sampleBatch', t, B);
  checkInstance('sampleBatch', 'rng', rng, Rng, 'new Rng(seed)');
  const a = t.automaton;
  const T = t.length;
  const labelOf = labelsOf(a);
  const letters = new Int32Array(B * T);
  const labels = new Int32Array(B * T);
  const allowed = t.validPrefixes ? validLetters(a) : [];
  for (let b = 0; b < B; b++) {
    const seed = rng.nextU32();
    const seq = t.validPrefixes ? sampleValidPrefix(a, allowed, T, new Rng(seed)) : sampleLetters(a, T, { seed, ...(t.p !== undefined ? { p: t.p } : {}) });
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

/** Largest number of words `exhaustiveBatches` enumerates (|Σ|^T ≤ 2^20). */
export const MAX_EXHAUSTIVE_WORDS = 1 << 20;

/**
 * Every word of length T over the automaton's alphabet, in lexicographic order, labelled like
 * sampleBatch (validPrefixes: only the words that stay out of the reject sink), cut into batches
 * of at most B sequences. Refuses more than 2^20 words.
 */
export function exhaustiveBatches(t: Task, B: number): Batch[] {
  validateTask(t);
  checkInteger('exhaustiveBatches', 'B', B, 1, 1 << 16);
  const a = t.automaton;
  const k = a.delta.length;
  const T = t.length;
  if (!Number.isInteger(B) || B < 1) throw new Error(`batch must be an integer ≥ 1, got ${B}`);
  const words = Math.pow(k, T);
  if (words > MAX_EXHAUSTIVE_WORDS) throw new Error(`exhaustive evaluation of ${a.name} at length ${T} needs |Σ|^T = ${k}^${T} words, more than the limit 2^20`);
  const sink = t.validPrefixes ? rejectSink(a) : -1;
  const labelOf = labelsOf(a);
  const out: Batch[] = [];
  let letters = new Int32Array(B * T);
  let labels = new Int32Array(B * T);
  let n = 0;
  const word = new Int32Array(T);
  for (let w = 0; w < words; w++) {
    let x = w;
    for (let i = T - 1; i >= 0; i--) {
      word[i] = x % k;
      x = Math.floor(x / k);
    }
    let q = a.start ?? 0;
    let ok = true;
    for (let i = 0; i < T; i++) {
      q = a.delta[word[i]][q];
      if (q === sink) ok = false;
      letters[n * T + i] = word[i];
      labels[n * T + i] = labelOf[q];
    }
    if (!ok) continue;
    if (++n === B) {
      out.push({ batch: B, length: T, letters, labels });
      letters = new Int32Array(B * T);
      labels = new Int32Array(B * T);
      n = 0;
    }
  }
  if (n > 0) out.push({ batch: n, length: T, letters: letters.slice(0, n * T), labels: labels.slice(0, n * T) });
  return out;
}

/**
 * Flip-flop language modelling FFL(p_i) (shared/spec/zoo.md; Liu et al. 2023, "Exposing Attention
 * Glitches"): T tokens over {w, r, i, 0, 1} as instruction–bit pairs; the first instruction is w,
 * the last r, the others w, r, i with probabilities ((1-p_i)/2, (1-p_i)/2, p_i); the bit after w
 * is written (uniform), after r it repeats the last written bit, after i it is uniform noise.
 * As a per-position task: at each r the model must output the bit that follows; every other
 * position has label -1 (ignored by the loss and the accuracy, as the spec counts only those bits).
 */
export interface FflTask {
  readonly kind: 'ffl';
  /** p_i: probability of an ignore instruction (0.8 in distribution, 0.98 sparse, 0.1 dense). */
  readonly pI: number;
  /** T tokens (even; 512 in the spec). */
  readonly length: number;
}

/**
 * Bounded-Dyck language modelling (Wen, Li, Liu, Risteski 2023): T tokens of a well-nested prefix
 * over K bracket types with depth ≤ M (tokens 0..K-1 open type t, K..2K-1 close type t; each token
 * uniform among the allowed ones, as with validPrefixes). Next-token prediction over the 2K tokens,
 * scored where the next token is a closing bracket: whether and when to close is random, but which
 * bracket closes is forced by the top of the stack, so that is the part a model can get right.
 * Every other position has label -1 (like FFL's non-read positions).
 */
export interface DyckLmTask {
  readonly kind: 'dyck';
  /** Bracket types. */
  readonly K: number;
  /** Maximum depth. */
  readonly M: number;
  /** T input tokens (T + 1 are drawn: the last one is only a target). */
  readonly length: number;
}

export type AnyTask = Task | FflTask | DyckLmTask;

export function isDyckLm(t: AnyTask): t is DyckLmTask {
  return typeof t === 'object' && t !== null && (t as DyckLmTask).kind === 'dyck';
}

const dyckAutomata = new Map<string, Automaton>();

/** The semiautomaton behind a Dyck LM task (zoo `dyck:K,M`), built once per (K, M). */
export function dyckLmAutomaton(t: Pick<DyckLmTask, 'K' | 'M'>): Automaton {
  checkObject('dyckLmAutomaton', 't', t);
  checkInteger('dyckLmAutomaton', 't.K', t.K, 1, 8);
  checkInteger('dyckLmAutomaton', 't.M', t.M, 1, 8);
  const name = `dyck:${t.K},${t.M}`;
  let a = dyckAutomata.get(name);
  if (!a) dyckAutomata.set(name, (a = zoo(name)));
  return a;
}

export function validateDyckLm(t: DyckLmTask): void {
  checkObject('validateDyckLm', 't', t);
  if (!Number.isInteger(t.K) || t.K < 1 || t.K > 8) throw new Error(`Dyck LM: K (bracket types) must be an integer in [1, 8], got ${t.K}`);
  if (!Number.isInteger(t.M) || t.M < 1 || t.M > 8) throw new Error(`Dyck LM: M (maximum depth) must be an integer in [1, 8], got ${t.M}`);
  if (!Number.isInteger(t.length) || t.length < 1) throw new Error(`length must be an integer ≥ 1, got ${t.length}`);
}

/** Validates any task, with the error naming the field and value. */
export function validateAnyTask(t: AnyTask): void {
  checkObject('validateAnyTask', 't', t);
  if (isFfl(t)) validateFfl(t);
  else if (isDyckLm(t)) validateDyckLm(t);
  else validateTask(t);
}

export function sampleDyckLmBatch(t: DyckLmTask, B: number, rng: Rng): Batch {
  checkBatchArgs('sampleDyckLmBatch', t, B);
  checkInstance('sampleDyckLmBatch', 'rng', rng, Rng, 'new Rng(seed)');
  const a = dyckLmAutomaton(t);
  const allowed = validLetters(a);
  const T = t.length;
  const letters = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    const seq = sampleValidPrefix(a, allowed, T + 1, new Rng(rng.nextU32()));
    for (let i = 0; i < T; i++) {
      letters[b * T + i] = seq[i];
      if (seq[i + 1] >= t.K) labels[b * T + i] = seq[i + 1];
    }
  }
  return { batch: B, length: T, letters, labels };
}

/** Token ids of FFL: w, r, i are instructions 0..2; bits 0 and 1 are tokens 3 and 4. */
export const FFL_TOKENS = ['w', 'r', 'i', '0', '1'] as const;

export function isFfl(t: AnyTask): t is FflTask {
  return typeof t === 'object' && t !== null && (t as FflTask).kind === 'ffl';
}

export function validateFfl(t: FflTask): void {
  checkObject('validateFfl', 't', t);
  if (!(t.pI >= 0 && t.pI <= 1)) throw new Error(`p_i must be in [0, 1], got ${t.pI}`);
  if (!Number.isInteger(t.length) || t.length < 4 || t.length % 2 !== 0) throw new Error(`FFL length must be an even integer ≥ 4, got ${t.length}`);
}

export function sampleFflBatch(t: FflTask, B: number, rng: Rng): Batch {
  checkBatchArgs('sampleFflBatch', t, B);
  checkInstance('sampleFflBatch', 'rng', rng, Rng, 'new Rng(seed)');
  const T = t.length;
  const pairs = T / 2;
  const letters = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-1);
  for (let b = 0; b < B; b++) {
    let last = 0;
    for (let k = 0; k < pairs; k++) {
      let instr: number;
      if (k === 0) instr = 0;
      else if (k === pairs - 1) instr = 1;
      else {
        const u = rng.nextFloat();
        instr = u < t.pI ? 2 : u < t.pI + (1 - t.pI) / 2 ? 0 : 1;
      }
      let bit: number;
      if (instr === 1) bit = last;
      else {
        bit = rng.nextInt(2);
        if (instr === 0) last = bit;
      }
      const o = b * T + 2 * k;
      letters[o] = instr;
      letters[o + 1] = 3 + bit;
      if (instr === 1) labels[o] = bit;
    }
  }
  return { batch: B, length: T, letters, labels };
}

function sampleAny(t: AnyTask, B: number, rng: Rng): Batch {
  if (isFfl(t)) return sampleFflBatch(t, B, rng);
  if (isDyckLm(t)) return sampleDyckLmBatch(t, B, rng);
  return sampleBatch(t, B, rng);
}

const TRAIN_STREAM = 0x7a11;
const EVAL_STREAM = 0xe7a1;

/** The training batch of step `step` (fresh each step, reproducible from the seed). */
export function trainBatch(t: AnyTask, B: number, seed: number, step: number): Batch {
  checkBatchArgs('trainBatch', t, B);
  checkInteger('trainBatch', 'step', step, 0);
  return sampleAny(t, B, new Rng(seed ^ TRAIN_STREAM).fork(step));
}

/** `count` held-out evaluation batches (a stream disjoint from training's). */
export function evalBatches(t: AnyTask, B: number, count: number, seed: number): Batch[] {
  checkBatchArgs('evalBatches', t, B);
  checkInteger('evalBatches', 'count', count, 0, 1 << 16);
  const out: Batch[] = [];
  for (let i = 0; i < count; i++) out.push(sampleAny(t, B, new Rng(seed ^ EVAL_STREAM).fork(i)));
  return out;
}

/**
 * A valid task and a batch size whose B·T letters fit in memory (2^26 letters: a few hundred MiB
 * of batch tensors), checked before anything is sampled.
 */
function checkBatchArgs(where: string, t: AnyTask, B: number): void {
  validateAnyTask(t);
  checkInteger(where, 'B', B, 1, 1 << 16);
  if (B * t.length > 2 ** 26) fail(where, `B·T = ${B}·${t.length} = ${B * t.length} letters is above the limit of 2^26 per batch`);
}
