/**
 * Input of every algebra function: a list of transformations of {0..n-1} (`t[q]` is the image of
 * q), or an automaton, whose letters δ(·, σ) are the generators of its transformation semigroup
 * T(A). Validation lives here so the kernel only ever sees well-formed input.
 */
import type { Automaton } from '../automata/types.js';

/** Degrees the kernel supports: a point is one byte. */
export const MAX_TRANSFORMATION_DEGREE = 255;
/** Letters are stored as u16 in the kernel. */
export const MAX_GENERATORS = 65535;

export type Transformation = readonly number[];
export type GeneratorSource = Automaton | readonly Transformation[];

function isAutomaton(x: GeneratorSource): x is Automaton {
  return !Array.isArray(x) && typeof x === 'object' && x !== null && 'delta' in x;
}

/**
 * The generators of the semigroup, checked: a non-empty list of transformations of one degree n,
 * 1 ≤ n ≤ 255, with entries in 0..n-1. `what` names the list in errors (`delta`, `generators`).
 */
export function checkGenerators(source: GeneratorSource): { generators: number[][]; degree: number; what: string } {
  const what = isAutomaton(source) ? 'delta' : 'generators';
  const list = isAutomaton(source) ? source.delta : source;
  if (!Array.isArray(list)) throw new TypeError(`${what} must be an array of transformations, got ${typeof list}`);
  if (list.length === 0) throw new RangeError(`${what} is empty: a semigroup needs at least one generator`);
  if (list.length > MAX_GENERATORS) throw new RangeError(`${what} has ${list.length} generators, at most ${MAX_GENERATORS} are supported`);
  const first = list[0];
  if (!Array.isArray(first)) throw new TypeError(`${what}[0] must be an array of points, got ${typeof first}`);
  const degree = first.length;
  if (degree === 0) throw new RangeError(`${what}[0] has degree 0: transformations act on at least one point`);
  if (degree > MAX_TRANSFORMATION_DEGREE) {
    // Name the automaton too: `compile symmetric:6` should say which input has too many states.
    const whose = isAutomaton(source) && typeof source.name === 'string' ? `automaton ${source.name} has ${degree} states, so ` : '';
    throw new RangeError(`${whose}${what}[0] has degree ${degree}, above the maximum ${MAX_TRANSFORMATION_DEGREE} (a point is one byte)`);
  }
  const generators: number[][] = [];
  list.forEach((t, a) => {
    if (!Array.isArray(t)) throw new TypeError(`${what}[${a}] must be an array of points, got ${typeof t}`);
    if (t.length !== degree) throw new RangeError(`${what}[${a}] has length ${t.length}, expected ${degree} (the degree of ${what}[0])`);
    for (let q = 0; q < degree; q++) {
      const v = t[q];
      if (!Number.isInteger(v) || v < 0 || v >= degree) {
        throw new RangeError(`${what}[${a}][${q}] = ${String(v)} is not a point of 0..${degree - 1}`);
      }
    }
    generators.push(Array.from(t));
  });
  return { generators, degree, what };
}
