/**
 * Hidden states are only identified up to relabelling: match a recovered (or twin) HMM's states
 * to a reference by a minimum-cost assignment on emission rows, then reorder it.
 */
import { hungarian } from '../cp/congruence.js';
import type { Mat } from './linalg.js';
import { checkMatrix, checkObject, checkPermutation, checkNumbers } from '../validate/index.js';

/**
 * permutation[h] = the state of `other` matched to state h of `reference`, minimising
 * Σ_h ‖reference[h] − other[permutation[h]]‖² over permutations.
 */
export function matchStates(reference: Mat, other: Mat): number[] {
  const r = checkMatrix('matchStates', 'reference', reference);
  checkMatrix('matchStates', 'other', other, { rows: r.length, cols: r[0].length });
  const cost = reference.map((r) => other.map((o) => r.reduce((acc, x, j) => acc + (x - o[j]) ** 2, 0)));
  return hungarian(cost);
}

/** Reorders states so that new state h is old state permutation[h]. */
export function permuteHmm<T extends { initial?: number[]; transition: Mat; emission: Mat }>(hmm: T, permutation: readonly number[]): { initial: number[]; transition: Mat; emission: Mat } {
  const o = checkObject('permuteHmm', 'hmm', hmm);
  const t = checkMatrix('permuteHmm', 'hmm.transition', o.transition, { square: true });
  checkMatrix('permuteHmm', 'hmm.emission', o.emission, { rows: t.length });
  if (o.initial !== undefined) checkNumbers('permuteHmm', 'hmm.initial', o.initial, { length: t.length });
  checkPermutation('permuteHmm', 'permutation', permutation, t.length);
  return {
    initial: permutation.map((p) => (hmm.initial ? hmm.initial[p] : NaN)),
    transition: permutation.map((p) => permutation.map((q) => hmm.transition[p][q])),
    emission: permutation.map((p) => [...hmm.emission[p]]),
  };
}

/**
 * min over relabellings σ of max(max|T − σ(T̃)|, max|O − σ(Õ)|): a metric on HMMs up to
 * relabelling (the triangle inequality holds, which the pairwise lower bound relies on).
 * Exhaustive over the k! permutations (branch and bound), so k ≤ 10.
 */
/** relabelledDistance enumerates permutations; above this k it refuses (k! grows too fast). */
export const MAX_RELABEL_K = 10;

export function relabelledDistance(a: { transition: Mat; emission: Mat }, b: { transition: Mat; emission: Mat }): { distance: number; permutation: number[] } {
  const shapes = (x: unknown, name: string, k?: number, d?: number) => {
    const o = checkObject('relabelledDistance', name, x);
    const t = checkMatrix('relabelledDistance', `${name}.transition`, o.transition, { square: true, rows: k });
    return [t.length, checkMatrix('relabelledDistance', `${name}.emission`, o.emission, { rows: t.length, cols: d })[0].length];
  };
  const [ka, da] = shapes(a, 'a');
  shapes(b, 'b', ka, da);
  const k = a.transition.length;
  if (k > MAX_RELABEL_K) throw new RangeError(`relabelledDistance enumerates permutations: k = ${k} > ${MAX_RELABEL_K}`);
  const perm = Array.from({ length: k }, (_, i) => i);
  let best = Infinity, bestPerm = [...perm];
  const rowDiff = (x: number[], y: number[]) => x.reduce((m, v, j) => Math.max(m, Math.abs(v - y[j])), 0);
  const rec = (i: number, acc: number) => {
    if (acc >= best) return;
    if (i === k) {
      best = acc;
      bestPerm = [...perm];
      return;
    }
    for (let j = i; j < k; j++) {
      [perm[i], perm[j]] = [perm[j], perm[i]];
      // State i of a ↔ state perm[i] of b: its emission row and the transitions among states ≤ i.
      let c = Math.max(acc, rowDiff(a.emission[i], b.emission[perm[i]]));
      for (let l = 0; l <= i && c < best; l++) {
        c = Math.max(c, Math.abs(a.transition[i][l] - b.transition[perm[i]][perm[l]]), Math.abs(a.transition[l][i] - b.transition[perm[l]][perm[i]]));
      }
      rec(i + 1, c);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
  };
  rec(0, 0);
  return { distance: best, permutation: bestPerm };
}
