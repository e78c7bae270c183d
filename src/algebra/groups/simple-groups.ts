/**
 * Names of finite simple groups by order. Non-abelian simple groups of the same order are
 * isomorphic except for A8 ≅ PSL(4,2) vs PSL(3,4) (order 20160) and the pairs PSp(2n,q) vs
 * Ω(2n+1,q), n ≥ 3, q odd (not tabulated here: far beyond what permutation groups of degree ≤ 255
 * in this project produce). So a name is the order's entry, plus an element-order test for 20160.
 *
 * The table: A_n (5 ≤ n ≤ 300), PSL(2,q) (q ≤ 2048), PSL(n,q), PSU(n,q), PSp(4,q), PSp(6,q)
 * for small q, Sz(8), Sz(32), G2(3), G2(4), ³D4(2), ²F4(2)', and the sporadic groups up to Co1.
 * Names follow GAP and the formats spec, with the spec's choices for exceptional isomorphisms:
 * A5 (= PSL(2,4) = PSL(2,5)), A6 (= PSL(2,9)), A8 (= PSL(4,2)), PSL(2,7) (= PSL(3,2)),
 * PSU(4,2) (= PSp(4,3)).
 */
import { fail, show } from '../../validate/index.js';

function isPrimePower(q: number): boolean {
  if (q < 2) return false;
  let p = 2;
  while (q % p !== 0) p++;
  while (q % p === 0) q /= p;
  return q === 1;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

function factorial(n: number): bigint {
  let r = 1n;
  for (let i = 2n; i <= BigInt(n); i++) r *= i;
  return r;
}

function pslOrder(n: number, q: number): bigint {
  const Q = BigInt(q);
  let o = Q ** BigInt((n * (n - 1)) / 2);
  for (let i = 2; i <= n; i++) o *= Q ** BigInt(i) - 1n;
  return o / BigInt(gcd(n, q - 1));
}

function psuOrder(n: number, q: number): bigint {
  const Q = BigInt(q);
  let o = Q ** BigInt((n * (n - 1)) / 2);
  for (let i = 2; i <= n; i++) o *= Q ** BigInt(i) - (i % 2 === 0 ? 1n : -1n);
  return o / BigInt(gcd(n, q + 1));
}

function pspOrder(m: number, q: number): bigint {
  const Q = BigInt(q);
  let o = Q ** BigInt(m * m);
  for (let i = 1; i <= m; i++) o *= Q ** BigInt(2 * i) - 1n;
  return o / BigInt(gcd(2, q - 1));
}

const SPORADIC: [string, bigint][] = [
  ['M11', 7920n], ['M12', 95040n], ['J1', 175560n], ['M22', 443520n], ['J2', 604800n],
  ['M23', 10200960n], ['HS', 44352000n], ['J3', 50232960n], ['M24', 244823040n],
  ['McL', 898128000n], ['He', 4030387200n], ['Ru', 145926144000n], ['Suz', 448345497600n],
  ['O\'N', 460815505920n], ['Co3', 495766656000n], ['Co2', 42305421312000n],
  ['Fi22', 64561751654400n], ['HN', 273030912000000n], ['Ly', 51765179004000000n],
  ['Th', 90745943887872000n], ['Fi23', 4089470473293004800n], ['Co1', 4157776806543360000n],
  ['J4', 86775571046077562880n],
];

/** order → names (more than one only for genuinely different groups of that order). */
const BY_ORDER = new Map<bigint, string[]>();

function add(name: string, order: bigint): void {
  const names = BY_ORDER.get(order);
  if (names) names.push(name);
  else BY_ORDER.set(order, [name]);
}

for (let n = 5; n <= 300; n++) add(`A${n}`, factorial(n) / 2n);
for (let q = 7; q <= 2048; q++) if (isPrimePower(q) && q !== 9) add(`PSL(2,${q})`, pslOrder(2, q));
for (const [n, qs] of [[3, [3, 4, 5, 7, 8, 9, 11, 13, 16]], [4, [3, 4, 5]], [5, [2, 3]], [6, [2]], [7, [2]]] as [number, number[]][])
  for (const q of qs) add(`PSL(${n},${q})`, pslOrder(n, q));
for (const q of [3, 4, 5, 7, 8, 9, 11]) add(`PSU(3,${q})`, psuOrder(3, q));
for (const q of [2, 3, 4, 5]) add(`PSU(4,${q})`, psuOrder(4, q));
add('PSU(5,2)', psuOrder(5, 2));
add('PSU(6,2)', psuOrder(6, 2));
for (const q of [4, 5, 7, 8, 9]) add(`PSp(4,${q})`, pspOrder(2, q));
for (const q of [2, 3]) add(`PSp(6,${q})`, pspOrder(3, q));
add('Sz(8)', 29120n);
add('Sz(32)', 32537600n);
add('G2(3)', 4245696n);
add('G2(4)', 251596800n);
add('3D4(2)', 211341312n);
add("2F4(2)'", 17971200n);
for (const [name, o] of SPORADIC) add(name, o);

/** Orders with more than one tabulated simple group (the test pins this to [20160]). */
export function ambiguousSimpleOrders(): bigint[] {
  return [...BY_ORDER].filter(([, v]) => v.length > 1).map(([k]) => k);
}

/** The tabulated names of non-abelian simple groups of this order ([] if none). */
export function simpleGroupNames(order: bigint): readonly string[] {
  return BY_ORDER.get(order) ?? [];
}

/** Is n prime (n a bigint of modest size). */
export function isPrime(n: bigint): boolean {
  checkSmallBigint('isPrime', n);
  if (n < 2n) return false;
  for (let p = 2n; p * p <= n; p++) if (n % p === 0n) return false;
  return true;
}

/** Prime factorisation as a sorted list with multiplicity (trial division; orders here are smooth). */
export function primeFactors(n: bigint): bigint[] {
  checkSmallBigint('primeFactors', n);
  const out: bigint[] = [];
  for (let p = 2n; p * p <= n; p++) {
    while (n % p === 0n) {
      out.push(p);
      n /= p;
    }
  }
  if (n > 1n) out.push(n);
  return out;
}

/** Trial division up to √n: n below 2^50 keeps that under ~3·10^7 steps (about a second). */
function checkSmallBigint(where: string, n: unknown): void {
  if (typeof n !== 'bigint') fail(where, `n must be a bigint (such as 12n), got ${show(n)}`);
  if ((n as bigint) > 2n ** 50n) fail(where, `n = ${n} is above 2^50, beyond trial division`);
}
