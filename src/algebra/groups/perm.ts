/**
 * Permutations of {0..m-1} as image arrays (p[i] = image of i), acting on the right:
 * `compose(a, b)` is "first a, then b", i.e. i^(ab) = (i^a)^b, as in GAP and the Handbook of
 * Computational Group Theory (Holt, Eick, O'Brien). Stored as Uint16Array so one type serves
 * the points of an automaton (m ≤ 255) and the tiles of a holonomy component.
 */
export type Perm = Uint16Array;

/** Largest degree accepted (transversals are stored explicitly: O(m^2) per stabiliser level). */
export const MAX_DEGREE = 4096;

export function identityPerm(m: number): Perm {
  const p = new Uint16Array(m);
  for (let i = 0; i < m; i++) p[i] = i;
  return p;
}

export function isIdentity(p: Perm): boolean {
  for (let i = 0; i < p.length; i++) if (p[i] !== i) return false;
  return true;
}

export function permEquals(a: Perm, b: Perm): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** a then b. */
export function compose(a: Perm, b: Perm): Perm {
  const m = a.length;
  const r = new Uint16Array(m);
  for (let i = 0; i < m; i++) r[i] = b[a[i]];
  return r;
}

/** a then b then c. */
export function compose3(a: Perm, b: Perm, c: Perm): Perm {
  const m = a.length;
  const r = new Uint16Array(m);
  for (let i = 0; i < m; i++) r[i] = c[b[a[i]]];
  return r;
}

export function invert(a: Perm): Perm {
  const m = a.length;
  const r = new Uint16Array(m);
  for (let i = 0; i < m; i++) r[a[i]] = i;
  return r;
}

/** a^b = b^-1 a b (conjugate of a by b). */
export function conjugate(a: Perm, b: Perm): Perm {
  const m = a.length;
  const r = new Uint16Array(m);
  // b^-1 a b maps b[i] -> b[a[i]]
  for (let i = 0; i < m; i++) r[b[i]] = b[a[i]];
  return r;
}

/** [a, b] = a^-1 b^-1 a b. */
export function commutator(a: Perm, b: Perm): Perm {
  return compose(invert(compose(b, a)), compose(a, b));
}

/** Cycle lengths of p (fixed points included as 1). */
export function cycleLengths(p: Perm): number[] {
  const m = p.length;
  const seen = new Uint8Array(m);
  const out: number[] = [];
  for (let i = 0; i < m; i++) {
    if (seen[i]) continue;
    let len = 0;
    for (let j = i; !seen[j]; j = p[j]) {
      seen[j] = 1;
      len++;
    }
    out.push(len);
  }
  return out;
}

function gcdBig(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** Order of p: lcm of its cycle lengths (bigint: Landau's function exceeds 2^53 near m = 255). */
export function permOrder(p: Perm): bigint {
  let o = 1n;
  for (const l of cycleLengths(p)) {
    const b = BigInt(l);
    o = (o / gcdBig(o, b)) * b;
  }
  return o;
}

/** p^e for e ≥ 0, computed cycle by cycle (no repeated multiplication). */
export function permPower(p: Perm, e: bigint): Perm {
  const m = p.length;
  const r = new Uint16Array(m);
  const seen = new Uint8Array(m);
  const cyc: number[] = [];
  for (let i = 0; i < m; i++) {
    if (seen[i]) continue;
    cyc.length = 0;
    for (let j = i; !seen[j]; j = p[j]) {
      seen[j] = 1;
      cyc.push(j);
    }
    const len = cyc.length;
    const s = Number(e % BigInt(len));
    for (let k = 0; k < len; k++) r[cyc[k]] = cyc[(k + s) % len];
  }
  return r;
}

/**
 * Validates a list of generators given as image arrays on `degree` points and converts them.
 * Errors name the generator, the index and the value, as the rest of testbeds does.
 */
export function toPerms(generators: readonly (ArrayLike<number>)[], degree: number, what = 'generators'): Perm[] {
  if (!Number.isInteger(degree) || degree < 1) throw new Error(`degree must be a positive integer, got ${degree}`);
  if (degree > MAX_DEGREE) throw new Error(`degree ${degree} is too large (at most ${MAX_DEGREE})`);
  const out: Perm[] = [];
  generators.forEach((g, k) => {
    if (g.length !== degree) throw new Error(`${what}[${k}] has length ${g.length}, expected ${degree}`);
    const p = new Uint16Array(degree);
    const seen = new Uint8Array(degree);
    for (let i = 0; i < degree; i++) {
      const v = g[i];
      if (!Number.isInteger(v) || v < 0 || v >= degree)
        throw new Error(`${what}[${k}][${i}] = ${v} is not a point in 0..${degree - 1}`);
      if (seen[v]) throw new Error(`${what}[${k}] is not a permutation: value ${v} appears twice (again at index ${i})`);
      seen[v] = 1;
      p[i] = v;
    }
    out.push(p);
  });
  return out;
}

/** Is p an odd permutation (sign −1)? */
export function isOdd(p: Perm): boolean {
  let transpositions = 0;
  for (const l of cycleLengths(p)) transpositions += l - 1;
  return transpositions % 2 === 1;
}

/** Points moved by at least one of the permutations. */
export function movedPoints(perms: readonly Perm[]): number[] {
  const out: number[] = [];
  if (perms.length === 0) return out;
  for (let i = 0; i < perms[0].length; i++) if (perms.some((p) => p[i] !== i)) out.push(i);
  return out;
}

export function factorial(k: number): bigint {
  let r = 1n;
  for (let i = 2n; i <= BigInt(k); i++) r *= i;
  return r;
}
