/**
 * The maximal subgroups of a transformation semigroup: for an idempotent e, its H-class H_e is a
 * group, and it acts faithfully on im(e) by permutations (h H e ⇒ im h = im e). We relabel im(e)
 * as 0..m-1 and hand a few random elements of H_e to the permutation-group code (groups/) as
 * generators, adding more until the group they generate has order |H_e|, which the H-class gives;
 * only then is the group analysed (composition factors).
 */
import { Rng } from '../random/prng.js';
import { analyzeStabChain, permutationGroup, type GroupReport } from './groups/index.js';
import { TransformationSemigroup } from './semigroup.js';
import { checkInstance, checkInteger, checkNumbers, checkObject, checkOptions, fail } from '../validate/index.js';

export interface MaximalSubgroup {
  /** The idempotent e. */
  readonly idempotent: number;
  /** im(e), sorted: point p of the permutation group is image[p]. */
  readonly image: number[];
  /** Permutations of 0..m-1 that generate H_e acting on im(e). */
  readonly generators: number[][];
  readonly report: GroupReport;
}

/** H_e as a permutation group on im(e); `members` are the elements of the H-class of e. */
export function maximalSubgroup(S: TransformationSemigroup, e: number, members: ArrayLike<number>, seed = 1): MaximalSubgroup {
  checkInstance('maximalSubgroup', 'S', S, TransformationSemigroup, 'transformationSemigroup(automaton)');
  checkInteger('maximalSubgroup', 'e', e, 0, S.size - 1);
  checkNumbers('maximalSubgroup', 'members', members, { minLength: 1, integer: true, min: 0, max: S.size - 1 });
  const image = [...new Set(S.element(e))].sort((a, b) => a - b);
  const m = image.length;
  const pos = new Map(image.map((x, p) => [x, p]));
  const restrict = (h: number): number[] => {
    const t = S.element(h);
    return image.map((x) => {
      const p = pos.get(t[x]);
      if (p === undefined) throw new Error(`element ${h} does not map im(e) into itself: not in the H-class of idempotent ${e}`);
      return p;
    });
  };
  const order = members.length;
  if (order === 1) {
    return { idempotent: e, image, generators: [], report: { degree: m, order: 1n, solvable: true, factors: [], structure: '1' } };
  }
  const all = Array.from(members);
  const rng = new Rng(seed);
  const generators: number[][] = [];
  // Small groups: every element. Otherwise two random elements, then one more at a time: a
  // handful of random elements generates the whole group with high probability.
  if (order <= 8) for (const h of all) generators.push(restrict(h));
  else for (let t = 0; t < 2; t++) generators.push(restrict(all[rng.nextInt(order)]));
  // Only the order decides whether the generators suffice; the composition factors (the costly
  // part) are computed once, for the chain that has the right order.
  for (;;) {
    const G = permutationGroup(generators, m);
    if (G.order === BigInt(order)) return { idempotent: e, image, generators, report: analyzeStabChain(G) };
    if (G.order > BigInt(order) || generators.length >= order) {
      throw new Error(`maximal subgroup at idempotent ${e}: generated order ${G.order}, but the H-class has ${order} elements`);
    }
    generators.push(restrict(all[rng.nextInt(order)]));
  }
}
