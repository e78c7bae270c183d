/**
 * Direct products of semiautomata A_1 × A_2 × … . States are mixed-radix tuples with coordinate
 * 0 (the first factor) least significant, exactly as in the zoo's `cyclic_product`:
 *   q = q_1 + n_1·(q_2 + n_2·(q_3 + …)).
 * Letters, two constructions:
 *  - 'union' (default, the cascade-free product of the spec's cyclic_product): Σ = Σ_1 ⊔ Σ_2 ⊔ …,
 *    a letter of factor i moves coordinate i and leaves the others. With `dedupe` letters that act
 *    like an earlier letter are dropped, so cyclic:2 × cyclic:2 × cyclic:2 (union, dedupe) is
 *    exactly cyclic_product:2,2,2 (one identity, then one generator per coordinate).
 *  - 'pairs' (synchronous): Σ = Σ_1 × Σ_2 × … (mixed-radix, factor 0 least significant); a letter
 *    moves every coordinate at once.
 */
import type { Automaton } from './types.js';
import { numLetters, numStates } from './types.js';
import { AutomatonError, MAX_LETTERS, MAX_STATES, show, validateAutomaton } from './validate.js';
import { numClasses } from './labels.js';
import { MAX_ZOO_TABLE } from './zoo.js';

export interface ProductOptions {
  /** 'union' (default): disjoint union of the alphabets; 'pairs': tuples of letters. */
  letters?: 'union' | 'pairs';
  /** Drop letters whose transformation equals an earlier letter's (default false). */
  dedupe?: boolean;
  /** Name of the product (default: the factor names joined by ' × '). */
  name?: string;
}

function isAutomaton(x: unknown): x is Automaton {
  return typeof x === 'object' && x !== null && 'delta' in x;
}

/** The direct product of the automata given; a trailing options object selects the letters. */
export function directProduct(...args: (Automaton | ProductOptions)[]): Automaton {
  const last = args[args.length - 1];
  // Only a plain object can be the options: directProduct(p, "x") is a mistake, not p alone.
  const isOptions = typeof last === 'object' && last !== null && !Array.isArray(last) && !isAutomaton(last);
  const options: ProductOptions = isOptions ? (args.pop() as ProductOptions) : {};
  const factors = args as Automaton[];
  if (factors.length === 0) throw new AutomatonError('directProduct: needs at least one automaton');
  factors.forEach((f, i) => {
    if (!isAutomaton(f)) throw new AutomatonError(`directProduct: argument ${i} = ${show(f)} is not an automaton (nor, as the last argument, an options object)`);
    validateAutomaton(f, `directProduct: argument ${i}`);
  });
  if (options.name !== undefined && typeof options.name !== 'string') throw new AutomatonError(`directProduct: options.name = ${show(options.name)} is not a string`);
  if (options.dedupe !== undefined && typeof options.dedupe !== 'boolean') throw new AutomatonError(`directProduct: options.dedupe = ${show(options.dedupe)} is not true or false`);
  const mode = options.letters ?? 'union';
  if (mode !== 'union' && mode !== 'pairs') throw new AutomatonError(`directProduct: letters = ${JSON.stringify(mode)}, expected "union" or "pairs"`);
  const name = options.name ?? factors.map((f) => f.name).join(' × ');

  const ns = factors.map(numStates);
  const ks = factors.map(numLetters);
  const n = ns.reduce((a, b) => a * b, 1);
  if (n > MAX_STATES) throw new AutomatonError(`directProduct ${name}: |Q| = ${ns.join('·')} = ${n} exceeds the limit of ${MAX_STATES} states`);
  const k = mode === 'union' ? ks.reduce((a, b) => a + b, 0) : ks.reduce((a, b) => a * b, 1);
  if (k > MAX_LETTERS) throw new AutomatonError(`directProduct ${name}: |Σ| = ${k} exceeds the limit of ${MAX_LETTERS} letters`);
  // Both limits can hold while the table does not fit: 'pairs' multiplies the alphabets too
  // (flipflop:200 × flipflop:100 would be 20301 × 20301 ≈ 4·10^8 entries of JS arrays).
  if (n * k > MAX_ZOO_TABLE) throw new AutomatonError(`directProduct ${name}: δ has |Q|·|Σ| = ${n}·${k} = ${n * k} entries, above the limit of ${MAX_ZOO_TABLE} (2^24, as for the zoo)`);

  const strides = ns.map((_, i) => ns.slice(0, i).reduce((a, b) => a * b, 1));
  const coords = (q: number): number[] => ns.map((ni, i) => Math.floor(q / strides[i]) % ni);
  const encode = (c: number[]): number => c.reduce((acc, ci, i) => acc + ci * strides[i], 0);
  const letterName = (f: Automaton, a: number): string => f.alphabet?.[a] ?? String(a);

  let delta: number[][] = [];
  let alphabet: string[] = [];
  if (mode === 'union') {
    factors.forEach((f, i) => {
      for (let a = 0; a < ks[i]; a++) {
        const row = new Array<number>(n);
        for (let q = 0; q < n; q++) {
          const ci = Math.floor(q / strides[i]) % ns[i];
          row[q] = q + (f.delta[a][ci] - ci) * strides[i];
        }
        delta.push(row);
        alphabet.push(factors.length > 1 ? `${letterName(f, a)}@${i}` : letterName(f, a));
      }
    });
  } else {
    const kStrides = ks.map((_, i) => ks.slice(0, i).reduce((a, b) => a * b, 1));
    for (let a = 0; a < k; a++) {
      const la = ks.map((ki, i) => Math.floor(a / kStrides[i]) % ki);
      const row = new Array<number>(n);
      for (let q = 0; q < n; q++) row[q] = encode(coords(q).map((ci, i) => factors[i].delta[la[i]][ci]));
      delta.push(row);
      alphabet.push(`(${la.map((l, i) => letterName(factors[i], l)).join(',')})`);
    }
  }
  if (options.dedupe) {
    const seen = new Set<string>();
    const keep = delta.map((row) => {
      const key = row.join(',');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    delta = delta.filter((_, a) => keep[a]);
    alphabet = alphabet.filter((_, a) => keep[a]);
  }

  const out: { -readonly [K in keyof Automaton]: Automaton[K] } = {
    name,
    delta,
    start: encode(factors.map((f) => f.start)),
    alphabet,
  };
  if (factors.some((f) => f.states)) {
    out.states = Array.from({ length: n }, (_, q) => `(${coords(q).map((c, i) => factors[i].states?.[c] ?? String(c)).join(',')})`);
  }
  if (factors.some((f) => f.labels)) {
    // Product labels: the tuple of factor labels, mixed-radix like the states.
    const ls = factors.map((f, i) => f.labels ?? Array.from({ length: ns[i] }, (_, q) => q));
    const cs = ls.map(numClasses);
    const lStrides = cs.map((_, i) => cs.slice(0, i).reduce((a, b) => a * b, 1));
    out.labels = Array.from({ length: n }, (_, q) => coords(q).reduce((acc, c, i) => acc + ls[i][c] * lStrides[i], 0));
  }
  return out;
}
