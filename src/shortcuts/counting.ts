/**
 * `counting`: a commutative transformation group (parity, cyclic:N, cyclic_product:…) in one
 * layer ("parity: only count the 1s"). T(A) ≅ Z_n1 × … × Z_nr; each letter adds a fixed vector;
 * uniform causal attention yields the weighted letter counts divided by t + 1, and the MLP
 * recovers the counts mod n_i with the 1/(t+1) feature of the position table (levels.ts, one
 * level). Exact up to the length countingMaxLength(n) proves (about 600 for small n).
 */
import type { Automaton } from '../automata/types.js';
import { ShortcutError, type Plan } from './common.js';
import { isAbelian, transformationGroup } from './groups.js';
import { compileLevels, groupCascade } from './levels.js';
import type { Network } from './network.js';

/** Why counting does not apply to `a`, or undefined when it does. */
export function countingRefusal(a: Automaton): string | undefined {
  const G = transformationGroup(a);
  if (!G) return `counting: ${a.name} has a letter that is not a permutation of its states, so T(A) is not a group (use cascade or prefix)`;
  if (!isAbelian(G, Array.from({ length: G.size }, (_, i) => i))) return `counting: the transformation group of ${a.name} (order ${G.size}) is not commutative (use cascade or prefix)`;
  return undefined;
}

export function compileCounting(a: Automaton, T: number, maxLength?: number): { net: Network; plan: Plan; orders: number[] } {
  const why = countingRefusal(a);
  if (why) throw new ShortcutError(why);
  const c = groupCascade(transformationGroup(a)!);
  if ('perfect' in c) throw new Error('internal: an abelian group is solvable');
  const r = compileLevels(c, a, T, { maxLength });
  return { ...r, orders: c.levels[0]?.orders ?? [] };
}
