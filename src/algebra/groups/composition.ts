/**
 * Composition factors of a permutation group, by a composition series through normal subgroups,
 * working only with subgroups of G and membership (never building a quotient group):
 * a section M/N (N ⊴ M ≤ G) is split as
 *   1. M/N not perfect: [M,M]N < M, and M/[M,M]N is abelian, so its factors are C_p for the
 *      primes of |M : [M,M]N| with multiplicity;
 *   2. M/N perfect: look for K with N < K < M, K ⊴ M, as the normal closure <N, y>^M of y an
 *      element of prime order modulo N among the powers of random x ∈ M \ N (powers shrink the
 *      support of x in a direct product T^k, and land in a central or solvable normal subgroup
 *      often);
 *   3. no such K after the trials: M/N is taken as simple and named by its order
 *      (simple-groups.ts); for 20160 (A8 vs PSL(3,4)) by whether M/N has elements of order 15 or 6.
 * Limits: step 2/3 is Monte Carlo with a seeded Rng (deterministic per seed): a perfect non-simple
 * section whose proper normal subgroups are all missed by the trials would be reported as
 * `Simple(order)` (its order is not a simple group's) or, if its order coincides with a simple
 * group's, misnamed. The trials (20 when the order is a tabulated simple order, 100 otherwise)
 * make this vanishingly unlikely for the groups met here.
 */
import { Rng } from '../../random/prng.js';
import { conjugate, factorial, movedPoints, permOrder, permPower, type Perm } from './perm.js';
import { StabChain } from './schreier-sims.js';
import { certifyOrder, derivedSeries, derivedSubgroup, normalClosure } from './subgroups.js';
import { primeFactors, simpleGroupNames } from './simple-groups.js';
import { checkArray, checkInstance, checkInteger, checkNumbers, checkObject, checkOptions, checkString, fail } from '../../validate/index.js';

export interface CompositionResult {
  /** Sorted as strings (`A5` < `C2`). */
  factors: string[];
  solvable: boolean;
  /** Orders of the derived series G = G_0 > G_1 > … (last: 1 if solvable, else the perfect core). */
  derivedOrders: bigint[];
}

export function compositionFactors(G: StabChain, seed = 1): CompositionResult {
  checkInstance('compositionFactors', 'G', G, StabChain, 'permutationGroup(generators, degree)');
  const rng = new Rng(seed);
  const series = derivedSeries(G, rng);
  const factors: string[] = [];
  for (let i = 0; i + 1 < series.length; i++) factors.push(...cyclicFactors(series[i].order / series[i + 1].order));
  const core = series[series.length - 1];
  const solvable = core.isTrivial;
  if (!solvable) factors.push(...sectionFactors(core, new StabChain(G.degree), rng));
  factors.sort();
  return { factors, solvable, derivedOrders: series.map((s) => s.order) };
}

function cyclicFactors(index: bigint): string[] {
  return primeFactors(index).map((p) => `C${p}`);
}

/** Composition factors of M/N, N ⊴ M. */
function sectionFactors(M: StabChain, N: StabChain, rng: Rng): string[] {
  if (M.order === N.order) return [];
  const D = derivedSubgroup(M, N, rng);
  if (D.order < M.order) return [...sectionFactors(D, N, rng), ...cyclicFactors(M.order / D.order)];
  const K = properNormalSubgroup(M, N, rng);
  if (K) return [...sectionFactors(K, N, rng), ...sectionFactors(M, K, rng)];
  return [nameSimpleSection(M, N, rng)];
}

/** Primes dividing the order of x. */
function orderPrimes(o: bigint): bigint[] {
  return [...new Set(primeFactors(o))];
}

/** A K with N < K < M, K ⊴ M, or null when the random search finds none (M/N perfect). */
function properNormalSubgroup(M: StabChain, N: StabChain, rng: Rng): StabChain | null {
  const index = M.order / N.order;
  // Alt(k) on its k ≥ 5 moved points (the only subgroup of order k!/2) is simple: no search needed.
  const k = movedPoints(M.generators).length;
  if (N.isTrivial && k >= 5 && M.order * 2n === factorial(k)) return null;
  const trials = simpleGroupNames(index).length > 0 ? 20 : 100;
  const mGens = M.generators;
  for (let t = 0; t < trials; t++) {
    const x = M.random(rng);
    if (N.contains(x)) continue;
    // y = x^(o/p) with o the order of xN: an element of order p modulo N, never in N.
    const o = orderModulo(x, N);
    for (const p of orderPrimes(o)) {
      const y = permPower(x, o / p);
      // Usually <N, y>^M = M: certify that cheaply from random conjugates before closing exactly.
      if (certifyOrder(M.degree, N, () => conjugate(y, M.random(rng)), M.order)) continue;
      const K = normalClosure(M.degree, mGens, [y], N, M.order);
      if (K.order < M.order) return K;
    }
  }
  return null;
}

/** Order of x modulo N: the least divisor d of |x| with x^d ∈ N. */
function orderModulo(x: Perm, N: StabChain): bigint {
  let o = permOrder(x);
  for (const p of orderPrimes(o)) {
    while (o % p === 0n && N.contains(permPower(x, o / p))) o /= p;
  }
  return o;
}

function nameSimpleSection(M: StabChain, N: StabChain, rng: Rng): string {
  const s = M.order / N.order;
  const names = simpleGroupNames(s);
  if (names.length === 1) return names[0];
  if (names.length === 0) return `Simple(${s})`;
  if (s === 20160n) {
    // A8 has elements of order 15 and 6 (≈ 13% and 17% of it); PSL(3,4) has neither.
    for (let t = 0; t < 300; t++) {
      const o = orderModulo(M.random(rng), N);
      if (o === 15n || o === 6n) return 'A8';
    }
    return 'PSL(3,4)';
  }
  return names.join('|');
}
