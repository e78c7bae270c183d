/**
 * Hidden states are only identified up to relabelling: match a recovered (or twin) HMM's states
 * to a reference by a minimum-cost assignment on emission rows, then reorder it.
 */
import type { Mat } from './linalg.js';

/**
 * permutation[h] = the state of `other` matched to state h of `reference`, minimising
 * Σ_h ‖reference[h] − other[permutation[h]]‖² over permutations.
 */
export function matchStates(reference: Mat, other: Mat): number[] {
  const k = reference.length;
  const cost = reference.map((r) => other.map((o) => r.reduce((acc, x, j) => acc + (x - o[j]) ** 2, 0)));
  return minCostAssignment(cost, k);
}

// TEMPORARY until the cp branch's Hungarian matching lands: exhaustive search (k ≤ 8).
function minCostAssignment(cost: number[][], k: number): number[] {
  if (k > 9) throw new RangeError(`matching ${k} states needs the Hungarian algorithm`);
  let best: number[] = [], bestCost = Infinity;
  const perm = Array.from({ length: k }, (_, i) => i);
  const rec = (i: number, acc: number) => {
    if (acc >= bestCost) return;
    if (i === k) {
      bestCost = acc;
      best = [...perm];
      return;
    }
    for (let j = i; j < k; j++) {
      [perm[i], perm[j]] = [perm[j], perm[i]];
      rec(i + 1, acc + cost[i][perm[i]]);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  };
  rec(0, 0);
  return best;
}

/** Reorders states so that new state h is old state permutation[h]. */
export function permuteHmm<T extends { initial?: number[]; transition: Mat; emission: Mat }>(hmm: T, permutation: readonly number[]): { initial: number[]; transition: Mat; emission: Mat } {
  return {
    initial: permutation.map((p) => (hmm.initial ? hmm.initial[p] : NaN)),
    transition: permutation.map((p) => permutation.map((q) => hmm.transition[p][q])),
    emission: permutation.map((p) => [...hmm.emission[p]]),
  };
}
