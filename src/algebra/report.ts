/**
 * analyzeSemigroup / algebraReport: everything testbeds says about T(A) — size, idempotents,
 * Green's classes, the maximal subgroups with their composition factors, whether T(A) is a group,
 * aperiodic or solvable, the Krohn–Rhodes levels and the shortcut-depth report. `algebraReport`
 * is the JSON of `testbeds algebra --json` (shared/spec/formats.md; extra fields are additions).
 */
import type { Automaton } from '../automata/types.js';
import { checkGenerators, type GeneratorSource } from './generators.js';
import { transformationSemigroup, type SemigroupOptions, type TransformationSemigroup } from './semigroup.js';
import { greenStructure, type GreenStructure } from './green.js';
import { maximalSubgroup } from './maximal-subgroups.js';
import { holonomyDecomposition, type HolonomyDecomposition } from './krohn-rhodes/index.js';
import type { GroupReport } from './groups/index.js';
import { shortcutReport, type ShortcutReport } from './shortcut.js';

export interface SubgroupSummary {
  order: number;
  solvable: boolean;
  /** Composition factors, sorted as strings. */
  factors: string[];
  /** GAP-style name when recognised (`S3`, `D8`, `A5`, …). */
  structure?: string;
  /** Degree of the permutation action (the rank of the idempotent). */
  degree: number;
  /** How many D-classes have this maximal subgroup. */
  dClasses: number;
}

export interface DClassSummary {
  size: number;
  rank: number;
  rClasses: number;
  lClasses: number;
  hSize: number;
  idempotents: number;
  regular: boolean;
  /** Name of its maximal subgroup (structure or order), null when not regular, '1' when trivial. */
  group: string | null;
  /** D-classes immediately below in the D-order (indices into dClassList). */
  below?: number[];
}

/** The JSON of `testbeds algebra --json`. */
export interface AlgebraReport {
  automaton?: string;
  degree: number;
  generators: number;
  size: number;
  idempotents: number;
  dClasses: number;
  /** T(A) is a group (one H-class holding an idempotent), e.g. also {x, x²} with x³ = x of rank < n. */
  isGroup: boolean;
  /** Every letter is a permutation of Q (a permutation automaton; then T(A) is a group). */
  permutations: boolean;
  aperiodic: boolean;
  solvable: boolean;
  /** Distinct non-trivial maximal subgroups, up to isomorphism type (order, factors, structure), each once. */
  subgroups: SubgroupSummary[];
  rClasses: number;
  lClasses: number;
  hClasses: number;
  regularDClasses: number;
  maxWordLength: number;
  dClassList: DClassSummary[];
  shortcut: ShortcutReport;
  decomposition?: { levels: { height: number; components: { states: number; group: string | null; factors: string[] }[] }[] };
}

export interface AnalysisOptions extends SemigroupOptions {
  /** Compute the holonomy decomposition: true, false, or 'auto' (default: when n ≤ 128). */
  readonly decompose?: boolean | 'auto';
  /** Seed of the random generators drawn from each H-class (default 1). */
  readonly seed?: number;
  /** Called as each stage starts: 'green' (Green's classes), 'subgroups', 'decompose'. */
  readonly onStage?: (stage: 'green' | 'subgroups' | 'decompose') => void;
}

export interface SemigroupAnalysis {
  readonly semigroup: TransformationSemigroup;
  readonly green: GreenStructure;
  /** Maximal subgroup of each D-class (null when not regular), by D-class index. */
  readonly groups: (GroupReport | null)[];
  readonly decomposition?: HolonomyDecomposition;
  readonly report: AlgebraReport;
}

function groupName(g: GroupReport): string {
  return g.order === 1n ? '1' : (g.structure ?? `order ${g.order} (${g.factors.join(', ')})`);
}

export function analyzeSemigroup(source: GeneratorSource, options: AnalysisOptions = {}): SemigroupAnalysis {
  const { generators, degree } = checkGenerators(source);
  const S = transformationSemigroup(generators, options);
  options.onStage?.('green');
  const green = greenStructure(S);
  options.onStage?.('subgroups');
  const groups: (GroupReport | null)[] = green.dClasses.map((D) => {
    if (!D.regular) return null;
    const e = D.representative;
    const h = green.h.of[e];
    const members = green.hMembers.subarray(green.hStart[h], green.hStart[h + 1]);
    return maximalSubgroup(S, e, members, options.seed ?? 1).report;
  });

  const distinct = new Map<string, SubgroupSummary>();
  for (const g of groups) {
    if (!g || g.order === 1n) continue;
    const key = `${g.order}|${g.factors.join(',')}|${g.structure ?? ''}`;
    const had = distinct.get(key);
    if (had) had.dClasses++;
    else {
      distinct.set(key, {
        order: Number(g.order),
        solvable: g.solvable,
        factors: [...g.factors].sort(),
        ...(g.structure ? { structure: g.structure } : {}),
        degree: g.degree,
        dClasses: 1,
      });
    }
  }
  const subgroups = [...distinct.values()].sort((a, b) => a.order - b.order || a.factors.join().localeCompare(b.factors.join()));
  const aperiodic = subgroups.length === 0;
  const solvable = subgroups.every((g) => g.solvable);
  const isGroup = green.h.count === 1 && green.idempotents === 1;

  const want = options.decompose ?? 'auto';
  const decompose = want === true || (want === 'auto' && degree <= 128);
  if (decompose) options.onStage?.('decompose');
  const decomposition = decompose ? holonomyDecomposition(generators, degree) : undefined;

  const report: AlgebraReport = {
    ...(isAutomatonWithName(source) ? { automaton: source.name } : {}),
    degree,
    generators: generators.length,
    size: S.size,
    idempotents: green.idempotents,
    dClasses: green.d.count,
    isGroup,
    permutations: generators.every((t) => new Set(t).size === degree),
    aperiodic,
    solvable,
    subgroups,
    rClasses: green.r.count,
    lClasses: green.l.count,
    hClasses: green.h.count,
    regularDClasses: green.dClasses.filter((D) => D.regular).length,
    maxWordLength: S.maxWordLength,
    dClassList: green.dClasses.map((D, c) => ({
      size: D.size,
      rank: D.rank,
      rClasses: D.rClasses,
      lClasses: D.lClasses,
      hSize: D.hSize,
      idempotents: D.idempotents,
      regular: D.regular,
      group: groups[c] ? groupName(groups[c]!) : null,
      ...(D.below ? { below: D.below } : {}),
    })),
    shortcut: shortcutReport({ aperiodic, solvable, subgroups, stateCount: degree, krLevels: decomposition?.levels.length }),
    ...(decomposition
      ? {
          decomposition: {
            levels: decomposition.levels.map((lev) => ({
              height: lev.height,
              components: lev.components.map((c) => ({ states: c.states, group: c.group ? groupName(c.group) : null, factors: c.group ? c.group.factors : [] })),
            })),
          },
        }
      : {}),
  };
  return { semigroup: S, green, groups, decomposition, report };
}

function isAutomatonWithName(x: GeneratorSource): x is Automaton {
  return !Array.isArray(x) && typeof (x as Automaton).name === 'string';
}

/** The `testbeds algebra --json` object for an automaton or a list of generators. */
export function algebraReport(source: GeneratorSource, options: AnalysisOptions = {}): AlgebraReport {
  return analyzeSemigroup(source, options).report;
}
