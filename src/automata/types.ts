/**
 * A semiautomaton A = (Q, Σ, δ) with Q = {0..n-1}, Σ = {0..k-1}; `delta[letter][state]` is the
 * next state (the file format of shared/spec/formats.md). Simulating A maps σ_1..σ_T to
 * q_1..q_T with q_t = δ(q_{t-1}, σ_t), starting from `start`.
 */
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
  return a.delta[0]?.length ?? 0;
}

/** |Σ| */
export function numLetters(a: Automaton): number {
  return a.delta.length;
}
