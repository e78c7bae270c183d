/**
 * A semiautomaton A = (Q, Σ, δ) with Q = {0..n-1}, Σ = {0..k-1}; `delta[letter][state]` is the
 * next state (the file format of shared/spec/formats.md). Simulating A maps σ_1..σ_T to
 * q_1..q_T with q_t = δ(q_{t-1}, σ_t), starting from `start`.
 */
import { checkObject, fail, show } from '../validate/index.js';

export interface Automaton {
  /** Zoo name (`dihedral:4`) or the file's name. */
  readonly name: string;
  /** δ as one row per letter; every row has length n = |Q|. */
  readonly delta: readonly (readonly number[])[];
  /** Start state q_0 (default 0). */
  readonly start: number;
  /** Display names of states (length n), optional. */
  readonly states?: readonly string[];
  /** Display names of letters (length |Σ|), optional. */
  readonly alphabet?: readonly string[];
  /** Class id of each state (length n; default: the state itself). */
  readonly labels?: readonly number[];
  /**
   * Named coarser labellings (each length n), e.g. `direction` and `position` for `dihedral:N`.
   * An extension of the file format (extra fields are allowed there); see labels.ts.
   */
  readonly labelings?: Readonly<Record<string, readonly number[]>>;
}

/** |Q| */
export function numStates(a: Automaton): number {
  return checkAutomatonShape('numStates', a).delta[0].length;
}

/** |Σ| */
export function numLetters(a: Automaton): number {
  return checkAutomatonShape('numLetters', a).delta.length;
}

/**
 * O(1) check that `a` looks like an Automaton (an object whose delta is a non-empty array of
 * rows), for functions that read |Q| or |Σ| before any full validation (validateAutomaton).
 */
export function checkAutomatonShape(where: string, a: unknown, name = 'automaton'): Automaton {
  const o = checkObject(where, name, a);
  if (!Array.isArray(o.delta) || o.delta.length === 0 || !Array.isArray(o.delta[0])) {
    fail(where, `${name}.delta must be a non-empty array of rows (delta[letter][state]), got ${show(o.delta)}`);
  }
  if (typeof o.name !== 'string') fail(where, `${name}.name must be a string, got ${show(o.name)}`);
  return a as Automaton;
}
