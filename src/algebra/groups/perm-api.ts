/**
 * The permutation functions of perm.ts as the public API exports them: each checks its arguments
 * first (a permutation of 0..m−1, equal degrees), then calls the unchecked version that the group
 * algorithms use in their inner loops (where a check would double the cost of a product).
 * Plain arrays are accepted and converted.
 */
import { checkArray, checkInteger, checkPermutation, fail } from '../../validate/index.js';
import * as P from './perm.js';
import { MAX_DEGREE, type Perm } from './perm.js';

export { MAX_DEGREE, type Perm } from './perm.js';

function perm(where: string, name: string, v: unknown, m?: number): Perm {
  if (!(v instanceof Uint16Array) && !Array.isArray(v)) fail(where, `${name} must be a permutation (an array or Uint16Array of images), got ${v === null ? 'null' : typeof v}`);
  const p = checkPermutation(where, name, v, m);
  if (p.length === 0 || p.length > MAX_DEGREE) fail(where, `${name} has degree ${p.length}, expected 1..${MAX_DEGREE}`);
  return v instanceof Uint16Array ? v : Uint16Array.from(p);
}

export function identityPerm(m: number): Perm {
  return P.identityPerm(checkInteger('identityPerm', 'm', m, 1, MAX_DEGREE));
}
export function isIdentity(p: Perm): boolean {
  return P.isIdentity(perm('isIdentity', 'p', p));
}
export function permEquals(a: Perm, b: Perm): boolean {
  return P.permEquals(perm('permEquals', 'a', a), perm('permEquals', 'b', b));
}
/** a then b. */
export function compose(a: Perm, b: Perm): Perm {
  const x = perm('compose', 'a', a);
  return P.compose(x, perm('compose', 'b', b, x.length));
}
/** a then b then c. */
export function compose3(a: Perm, b: Perm, c: Perm): Perm {
  const x = perm('compose3', 'a', a);
  return P.compose3(x, perm('compose3', 'b', b, x.length), perm('compose3', 'c', c, x.length));
}
export function invert(a: Perm): Perm {
  return P.invert(perm('invert', 'a', a));
}
/** a^b = b^-1 a b. */
export function conjugate(a: Perm, b: Perm): Perm {
  const x = perm('conjugate', 'a', a);
  return P.conjugate(x, perm('conjugate', 'b', b, x.length));
}
/** [a, b] = a^-1 b^-1 a b. */
export function commutator(a: Perm, b: Perm): Perm {
  const x = perm('commutator', 'a', a);
  return P.commutator(x, perm('commutator', 'b', b, x.length));
}
export function cycleLengths(p: Perm): number[] {
  return P.cycleLengths(perm('cycleLengths', 'p', p));
}
export function permOrder(p: Perm): bigint {
  return P.permOrder(perm('permOrder', 'p', p));
}
export function permPower(p: Perm, e: bigint): Perm {
  if (typeof e !== 'bigint' && !(typeof e === 'number' && Number.isSafeInteger(e))) fail('permPower', `e must be an integer (a bigint such as 5n), got ${typeof e === 'number' ? e : typeof e}`);
  return P.permPower(perm('permPower', 'p', p), BigInt(e));
}
export function toPerms(generators: readonly ArrayLike<number>[], degree: number, what = 'generators'): Perm[] {
  checkArray('toPerms', 'generators', generators);
  generators.forEach((g, k) => {
    if (!Array.isArray(g) && !ArrayBuffer.isView(g)) fail('toPerms', `generators[${k}] must be an array of images, got ${g === null ? 'null' : typeof g}`);
  });
  return P.toPerms(generators, degree, String(what));
}
export function isOdd(p: Perm): boolean {
  return P.isOdd(perm('isOdd', 'p', p));
}
export function movedPoints(perms: readonly Perm[]): number[] {
  const ps = checkArray('movedPoints', 'perms', perms);
  const m = ps.length ? perm('movedPoints', 'perms[0]', ps[0]).length : 0;
  return P.movedPoints(ps.map((p, i) => perm('movedPoints', `perms[${i}]`, p, m)));
}
/** k! for 0 ≤ k ≤ MAX_DEGREE (the order of a symmetric group of any degree accepted). */
export function factorial(k: number): bigint {
  return P.factorial(checkInteger('factorial', 'k', k, 0, MAX_DEGREE));
}
