/**
 * The shortcut-depth report: what the algebra of T(A) says about how shallow a parallel simulation
 * of A over T steps can be (Liu, Ash, Goel, Krishnamurthy, Zhang, "Transformers Learn Shortcuts
 * to Automata", ICLR 2023; Barrington 1989; Krohn & Rhodes 1965).
 *   - Any A: a prefix scan over the maps δ(·, σ) composes T maps in ⌈log2 T⌉ rounds.
 *   - Aperiodic T(A) (all maximal subgroups trivial): a cascade of resets, depth O(1) in T (AC0).
 *   - Solvable T(A): Krohn–Rhodes gives a cascade of resets and prime cyclic groups; depth O(1) in T
 *     (Liu et al.: O(|Q|² log |Q|) Transformer layers).
 *   - Non-solvable (a composition factor like A5): simulating A is NC1-complete, so no constant-depth
 *     shortcut unless TC0 = NC1; the depth must grow with T (the scan's ⌈log2 T⌉ is the known bound).
 */
import { checkArray, checkBoolean, checkInteger, checkObject } from '../validate/index.js';
export type ShortcutClass = 'aperiodic' | 'solvable' | 'non-solvable';

export interface ShortcutReport {
  /** aperiodic ⊂ solvable; non-solvable otherwise. */
  readonly class: ShortcutClass;
  /** Rounds of a prefix scan for length T: "ceil(log2 T)" (e.g. 10 for T = 1024). */
  readonly scanDepth: string;
  /** A shortcut whose depth does not grow with T exists in theory. */
  readonly constantDepth: boolean;
  /** Levels of the holonomy (Krohn–Rhodes) decomposition, when it was computed. */
  readonly krLevels?: number;
  /** The non-abelian simple composition factors (why there is no constant-depth shortcut). */
  readonly nonSolvableFactors?: string[];
  /** The report in sentences. */
  readonly text: string[];
}

export interface ShortcutInput {
  readonly aperiodic: boolean;
  readonly solvable: boolean;
  /** Distinct non-trivial maximal subgroups. */
  readonly subgroups: readonly { order: number; factors: string[]; structure?: string; solvable: boolean }[];
  readonly stateCount: number;
  readonly krLevels?: number;
}

export function shortcutReport(x: ShortcutInput): ShortcutReport {
  const o = checkObject('shortcutReport', 'x', x);
  checkBoolean('shortcutReport', 'x.aperiodic', o.aperiodic);
  checkBoolean('shortcutReport', 'x.solvable', o.solvable);
  checkInteger('shortcutReport', 'x.stateCount', o.stateCount, 1);
  if (o.krLevels !== undefined) checkInteger('shortcutReport', 'x.krLevels', o.krLevels, 0);
  checkArray('shortcutReport', 'x.subgroups', o.subgroups).forEach((g, i) => {
    const s = checkObject('shortcutReport', `x.subgroups[${i}]`, g);
    checkInteger('shortcutReport', `x.subgroups[${i}].order`, s.order, 1);
    checkArray('shortcutReport', `x.subgroups[${i}].factors`, s.factors);
  });
  const cls: ShortcutClass = x.aperiodic ? 'aperiodic' : x.solvable ? 'solvable' : 'non-solvable';
  const groups = x.subgroups.map((g) => g.structure ?? `a group of order ${g.order}`).join(', ');
  const factors = [...new Set(x.subgroups.flatMap((g) => g.factors))].sort();
  const text: string[] = [];
  const kr = x.krLevels;
  const levels = kr === undefined ? '' : `, here ${kr} level${kr === 1 ? '' : 's'}`;
  if (cls === 'aperiodic') {
    text.push('T(A) is aperiodic: every maximal subgroup is trivial, so A counts nothing modulo anything.');
    text.push(`Krohn–Rhodes writes A as a cascade of resets (flip-flops)${levels}, so A has a constant-depth shortcut, independent of the length T (AC0).`);
  } else if (cls === 'solvable') {
    text.push(`Every maximal subgroup is solvable (${groups}; composition factors ${factors.join(', ')}).`);
    text.push(
      `Krohn–Rhodes writes A as a cascade of resets and cyclic groups of prime order${levels}; so a shortcut of constant depth in T exists in theory ` +
        `(Liu et al. 2023: O(|Q|² log |Q|) Transformer layers, here |Q| = ${x.stateCount}); the cyclic parts need modular counting (ACC0, not AC0).`,
    );
  } else {
    const bad = factors.filter((f) => !/^C\d+$/.test(f));
    const nonSolvable = x.subgroups.filter((g) => !g.solvable).map((g) => g.structure ?? `a group of order ${g.order}`);
    text.push(`T(A) contains a non-solvable group (${nonSolvable.join(', ')}; non-abelian simple composition factors ${bad.join(', ')}).`);
    text.push(
      `Simulating A is NC1-complete (Barrington 1989): no constant-depth shortcut exists unless TC0 = NC1, so the depth must grow with T; ` +
        `the prefix scan's ⌈log2 T⌉ is the known bound${kr === undefined ? '' : ` (Krohn–Rhodes: ${kr} level${kr === 1 ? '' : 's'}, with ${bad.join(', ')} inside)`}.`,
    );
    return { class: cls, scanDepth: 'ceil(log2 T)', constantDepth: false, ...(kr === undefined ? {} : { krLevels: kr }), nonSolvableFactors: bad, text: [...text, scanSentence()] };
  }
  return { class: cls, scanDepth: 'ceil(log2 T)', constantDepth: true, ...(kr === undefined ? {} : { krLevels: kr }), text: [...text, scanSentence()] };
}

function scanSentence(): string {
  return 'Any automaton: a prefix scan composes the T maps δ(·, σ_t) in ⌈log2 T⌉ rounds (10 for T = 1024).';
}
