/**
 * `cascade`: a solvable automaton in a depth independent of T, as a Krohn–Rhodes cascade of
 * abelian counting levels (levels.ts). For a permutation automaton T(A) is a group G; its
 * derived series G ▷ G' ▷ … ▷ 1 has abelian quotients exactly when G is solvable, each level
 * counts in its quotient with weights that depend on the letter and the levels above at t − 1
 * (dihedral:N: direction = parity of U-turns, then position = signed sum mod N). 2m − 1 layers
 * for m levels (+1 when the label is not a product of per-coordinate labels).
 *
 * Automata with resets go through their holonomy decomposition (src/algebra/krohn-rhodes) when
 * every component is a reset component or an abelian group with resets (resets.ts: gridworld:N,
 * dyck:K,M; a counter with a reset letter; flipflop × parity): 2 layers per reset level, 3 per
 * group level, − 1. Non-abelian holonomy groups are refused, naming the group and its factors.
 */
import type { Automaton } from '../automata/types.js';
import { algebraReport } from '../algebra/report.js';
import { ShortcutError, type Plan } from './common.js';
import { transformationGroup } from './groups.js';
import { compileLevels, groupCascade } from './levels.js';
import { compileResets, resetCascade } from './resets.js';
import type { Network } from './network.js';

export function cascadeRefusal(a: Automaton): string | undefined {
  const G = transformationGroup(a);
  if (!G) {
    const r = resetCascade(a);
    return typeof r === 'string' ? `cascade: ${r} (use prefix)` : undefined;
  }
  const c = groupCascade(G);
  if ('perfect' in c) {
    const r = algebraReport(a);
    const factors = [...new Set(r.subgroups.flatMap((s) => s.factors))].filter((f) => !/^C\d+$/.test(f));
    return `cascade: the transformation group of ${a.name} (order ${G.size}) is not solvable: non-abelian composition factor ${factors.join(', ') || `in a perfect subgroup of order ${c.perfect.length}`} (use prefix)`;
  }
  return undefined;
}

export function compileCascade(a: Automaton, T: number, maxLength?: number): { net: Network; plan: Plan; levels: number[][] | number[]; groups?: number[][]; kind: 'groups' | 'resets' | 'holonomy' } {
  const why = cascadeRefusal(a);
  if (why) throw new ShortcutError(why);
  const G = transformationGroup(a);
  if (!G) {
    const r = compileResets(a, T, maxLength);
    return { ...r, kind: r.groups.some((g) => g.length) ? 'holonomy' : 'resets' };
  }
  const c = groupCascade(G);
  if ('perfect' in c) throw new Error('internal');
  const r = compileLevels(c, a, T, { maxLength });
  return { ...r, levels: c.levels.map((Q) => Q.orders), kind: 'groups' };
}
