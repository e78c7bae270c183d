/**
 * The plain TypeScript reference: q_t = δ(q_{t-1}, σ_t), one table lookup per step. It is the
 * baseline of every benchmark and the oracle of every property test.
 */
import type { Automaton } from '../automata/types.js';
import { checkLettersType, checkStart, letterError, packDelta, prepareRun, statesArray } from './prepare.js';
import type { BatchResult, Letters, SimulateResult, States } from './types.js';
import { checkInteger, checkOptions, fail } from '../validate/index.js';

export function simulateReference(automaton: Automaton, letters: Letters, options: { start?: number; out?: States } = {}): SimulateResult {
  checkOptions('simulateReference', options);
  const { P, start, T, states } = prepareRun(automaton, letters, options);
  const final = referenceLoop(P.flat, P.n, P.k, letters, start, states, automaton.name);
  return { states, final, depth: T, method: 'reference', threads: 1 };
}

/** The loop itself (exported for the benchmark): δ flattened as delta[σ*n + q]. */
export function referenceLoop(delta: Uint8Array | Uint16Array, n: number, k: number, letters: Letters, start: number, out: States, name = ''): number {
  checkInteger('referenceLoop', 'n', n, 1, 65536);
  checkInteger('referenceLoop', 'k', k, 1, 65536);
  if (!(delta instanceof Uint8Array || delta instanceof Uint16Array) || delta.length !== n * k) fail('referenceLoop', `delta must be a Uint8Array or Uint16Array of k·n = ${k * n} states (packDelta(automaton).flat)`);
  for (let p = 0; p < delta.length; p++) if (delta[p] >= n) fail('referenceLoop', `delta[${p}] = ${delta[p]} is not a state in 0..${n - 1}`);
  checkInteger('referenceLoop', 'start', start, 0, n - 1);
  if (!ArrayBuffer.isView(letters) || !ArrayBuffer.isView(out) || (out as States).length < (letters as Letters).length) fail('referenceLoop', 'letters and out must be typed arrays, out at least as long as letters');
  let q = start;
  const T = letters.length;
  for (let t = 0; t < T; t++) {
    const a = letters[t]!;
    if (a >= k) throw letterError(t, a, k, name);
    q = delta[a * n + q]!;
    out[t] = q;
  }
  return q;
}

/** B sequences stored step-major (letters[t*B + b]); each is the plain loop. */
export function simulateBatchReference(automaton: Automaton, letters: Letters, B: number, options: { start?: number | readonly number[]; out?: States } = {}): BatchResult {
  checkOptions('simulateBatchReference', options);
  const { n, k, flat } = packDelta(automaton);
  checkLettersType(letters);
  const T = checkBatchShape(letters.length, B);
  const starts = batchStarts(automaton, n, B, options.start);
  const states = statesArray(n, T * B, options.out);
  const q = starts.slice();
  for (let t = 0; t < T; t++) {
    const row = t * B;
    for (let b = 0; b < B; b++) {
      const a = letters[row + b]!;
      if (a >= k) throw letterError(row + b, a, k, automaton.name);
      const r = flat[a * n + q[b]!]!;
      q[b] = r;
      states[row + b] = r;
    }
  }
  return { states, finals: q, depth: T, method: 'reference', batch: B };
}

export function checkBatchShape(length: number, B: number): number {
  if (!Number.isInteger(B) || B < 1) throw new RangeError(`batch = ${String(B)}: expected a positive integer`);
  if (length % B !== 0) throw new RangeError(`letters has length ${length}, not a multiple of batch = ${B} (layout: letters[t*B + b])`);
  return length / B;
}

export function batchStarts(a: Automaton, n: number, B: number, start: number | readonly number[] | undefined): number[] {
  if (Array.isArray(start)) {
    if (start.length !== B) throw new RangeError(`start has length ${start.length}, expected batch = ${B}`);
    return start.map((s, b) => {
      try {
        return checkStart(a, n, s);
      } catch (e) {
        throw new RangeError(`start[${b}]: ${(e as Error).message}`);
      }
    });
  }
  const s = checkStart(a, n, start as number | undefined);
  return new Array<number>(B).fill(s);
}
