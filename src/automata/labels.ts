/**
 * Labels: a function from states to class ids. The default label of a position is its state;
 * tasks may ask for a coarser one (shared/spec/zoo.md, "Labels"). The closed forms below follow
 * the zoo's normative state order, so they need no enumeration:
 *   dihedral:N   state = N·dir + pos        → direction = parity of U-turns, position = pos
 *   dyck:K,M     blocks of K^d stacks per depth d, then the sink → depth (sink = M+1), accept
 *   gridworld:N  → boundary = 1 at a wall (q = 0 or N-1)
 *   symmetric:N  permutations in lexicographic order → first = p[0] = ⌊rank / (N-1)!⌋
 *   alternating:N  even permutations in lexicographic order → first = ⌊2·index / (N-1)!⌋
 *                  (the lexicographic pairs (2m, 2m+1) differ by one swap, so one of each is even)
 */
import type { Automaton } from './types.js';
import { checkAutomatonShape, numStates } from './types.js';
import { AutomatonError, MAX_STATES } from './validate.js';
import { checkArray, checkInteger, checkNumbers, checkObject, checkString, fail } from '../validate/index.js';

/** The default label: each state is its own class. */
export function stateLabels(n: number): number[] {
  checkInteger('stateLabels', 'n', n, 1, MAX_STATES);
  return Array.from({ length: n }, (_, q) => q);
}

/** dihedral:N — the direction bit (number of U-turns mod 2). */
export function dihedralDirectionLabels(N: number): number[] {
  checkInteger('dihedralDirectionLabels', 'N', N, 1, MAX_STATES / 2);
  return Array.from({ length: 2 * N }, (_, q) => (q >= N ? 1 : 0));
}

/** dihedral:N — the position on the circle, 0..N-1. */
export function dihedralPositionLabels(N: number): number[] {
  checkInteger('dihedralPositionLabels', 'N', N, 1, MAX_STATES / 2);
  return Array.from({ length: 2 * N }, (_, q) => q % N);
}

/** Number of states of dyck:K,M: the stacks of depth ≤ M plus the reject sink. */
export function dyckStateCount(K: number, M: number): number {
  checkInteger('dyckStateCount', 'K', K, 1, MAX_STATES);
  checkInteger('dyckStateCount', 'M', M, 0, MAX_STATES);
  let total = 0;
  let block = 1;
  // Stops once past MAX_STATES: the count is only needed up to the limit (and K^M overflows).
  for (let d = 0; d <= M && total <= MAX_STATES; d++) {
    total += block;
    block *= K;
  }
  return total + 1;
}

/** dyck:K,M's state count, refused above MAX_STATES before anything is allocated. */
function dyckStates(where: string, K: number, M: number): number {
  const n = dyckStateCount(K, M);
  if (n > MAX_STATES) fail(where, `dyck:${K},${M} has more than ${MAX_STATES} states (the limit)`);
  return n;
}

/** dyck:K,M — the stack depth (0..M); the reject sink gets M+1. */
export function dyckDepthLabels(K: number, M: number): number[] {
  dyckStates('dyckDepthLabels', K, M);
  const out: number[] = [];
  let block = 1;
  for (let d = 0; d <= M; d++) {
    for (let i = 0; i < block; i++) out.push(d);
    block *= K;
  }
  out.push(M + 1);
  return out;
}

/** dyck:K,M — 1 when the prefix is a balanced word (the empty stack), else 0. */
export function dyckAcceptLabels(K: number, M: number): number[] {
  const n = dyckStates('dyckAcceptLabels', K, M);
  return Array.from({ length: n }, (_, q) => (q === 0 ? 1 : 0));
}

/** gridworld:N — 1 at a wall (q = 0 or q = N-1), else 0. */
export function gridworldBoundaryLabels(N: number): number[] {
  checkInteger('gridworldBoundaryLabels', 'N', N, 1, MAX_STATES);
  return Array.from({ length: N }, (_, q) => (q === 0 || q === N - 1 ? 1 : 0));
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** symmetric:N — the first element p[0] of the permutation tuple. */
export function symmetricFirstLabels(N: number): number[] {
  checkInteger('symmetricFirstLabels', 'N', N, 1, 8); // 8! = 40320 ≤ MAX_STATES < 9!
  const f = factorial(N - 1);
  return Array.from({ length: factorial(N) }, (_, r) => Math.floor(r / f));
}

/** alternating:N (N ≥ 3) — the first element p[0] of the even permutation tuple. */
export function alternatingFirstLabels(N: number): number[] {
  checkInteger('alternatingFirstLabels', 'N', N, 3, 8); // 8!/2 ≤ MAX_STATES < 9!/2
  const f = factorial(N - 1);
  return Array.from({ length: factorial(N) / 2 }, (_, e) => Math.floor((2 * e) / f));
}

/** quaternion — the sign: 0 for +1,+i,+j,+k and 1 for -1,-i,-j,-k. */
export function quaternionSignLabels(): number[] {
  return [0, 0, 0, 0, 1, 1, 1, 1];
}

/** The label names an automaton offers: 'state', 'default' (its `labels`), and its `labelings`. */
export function labelKinds(a: Automaton): string[] {
  checkObject('labelKinds', 'a', a);
  return ['state', 'default', ...Object.keys(a.labelings ?? {})];
}

/**
 * The labels of kind `kind`: 'state' (identity), 'default' (`a.labels`, else identity), or a
 * named coarser labelling the automaton carries (`dihedral:4` has 'direction' and 'position').
 */
export function labelsOf(a: Automaton, kind = 'default'): readonly number[] {
  checkAutomatonShape('labelsOf', a, 'a');
  checkString('labelsOf', 'kind', kind);
  if (kind === 'state') return stateLabels(numStates(a));
  if (kind === 'default') return a.labels ?? stateLabels(numStates(a));
  const l = a.labelings?.[kind];
  if (l) checkNumbers('labelsOf', `a.labelings.${kind}`, l, { integer: true, min: 0 });
  if (!l) throw new AutomatonError(`${a.name}: unknown label "${kind}" (available: ${labelKinds(a).join(', ')})`);
  return l;
}

/** A copy of `a` whose default `labels` are the labelling `kind`. */
export function withLabels(a: Automaton, kind: string): Automaton {
  checkString('withLabels', 'kind', kind);
  return { ...a, labels: [...labelsOf(a, kind)] };
}

/** Number of classes (max label + 1) of a labelling. */
export function numClasses(labels: readonly number[]): number {
  checkNumbers('numClasses', 'labels', labels, { integer: true, min: 0 });
  let m = -1;
  for (const l of labels) if (l > m) m = l;
  return m + 1;
}

/**
 * Maps a state sequence to its label sequence: out[t] = labels[states[t]]. The result is a
 * Uint8Array when every label is < 256, a Uint16Array when < 65,536, else a Uint32Array.
 */
export function applyLabels(states: ArrayLike<number>, labels: readonly number[]): Uint8Array | Uint16Array | Uint32Array {
  checkNumbers('applyLabels', 'labels', labels, { integer: true, min: 0, max: 0xffffffff });
  if (!Array.isArray(states) && !ArrayBuffer.isView(states)) fail('applyLabels', `states must be an array of states, got ${typeof states}`);
  const n = labels.length;
  const c = numClasses(labels);
  const table = c <= 256 ? Uint8Array.from(labels) : c <= 65536 ? Uint16Array.from(labels) : Uint32Array.from(labels);
  const T = states.length;
  const out = c <= 256 ? new Uint8Array(T) : c <= 65536 ? new Uint16Array(T) : new Uint32Array(T);
  for (let t = 0; t < T; t++) {
    const q = states[t];
    if (!(q >= 0 && q < n)) throw new AutomatonError(`applyLabels: states[${t}] = ${q} is out of range: labels cover states 0..${n - 1}`);
    out[t] = table[q];
  }
  return out;
}
