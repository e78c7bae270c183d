/**
 * `prefix`: any semiautomaton in ⌈log2 T⌉ layers (Theorem 1 of Liu et al. 2023, "Transformers
 * Learn Shortcuts to Automata": parallel prefix over the transformation semigroup T(A)).
 *
 * Position t carries an element E_t of T(A). Initially E_t = δ(·, σ_t). Layer ℓ (ℓ = 0..L−1)
 * reads, by a selecting head, R = E_{t−2^ℓ} (the product of the 2^ℓ letters ending at t − 2^ℓ)
 * and its MLP replaces E_t by R·E_t (apply R first), so after layer ℓ E_t is the product of the
 * 2^{ℓ+1} letters ending at t; for t < 2^ℓ a gate feature [t ≥ 2^ℓ] of the position table keeps
 * E_t (it already starts at σ_1). After L layers E_t = σ_1⋯σ_t and the head reads q_t = q_0·E_t.
 *
 * Two codes for an element, the smaller model is used (`representation`):
 *   'elements' — one-hot over the |S| elements of Froidure–Pin's enumeration (src/algebra);
 *                the MLP multiplies through the Cayley table: one ramp unit pair per pair (a, b),
 *                hidden 2|S|², width 2|S|.
 *   'maps'     — the n × n 0/1 matrix of the map q ↦ q·e; (a·b)[q] = b[a[q]] is an AND over
 *                (q, p, r): hidden 2n³ + 4n², width 2n². Any element, so no enumeration needed.
 *   'cosets'   — for a permutation automaton whose group G has a faithful action on fewer points
 *                than |Q| (G on the cosets of a core-free subgroup, groups.ts): the 'maps' code on
 *                those n' points (symmetric:5: 5 points instead of 120 states). The head reads the
 *                element g with logit H·Σ_x M[x][x·g] (n'·H for the right g, ≤ (n'−2)·H for any
 *                other: distinct permutations differ on ≥ 2 points), or, when several elements
 *                share a label, one more layer looks the label up (an AND over the n' entries).
 * Exactness: every unit is a ramp (network.ts) whose inputs are one-hot codes read by a head
 * whose leak is below shiftLeakBound(T) ≤ 1e-3 (checked), so all codes stay within 1e-3 of 0/1
 * at every layer and the head's correct logit exceeds every other by ≈ HEAD_SCALE.
 */
import type { Automaton } from '../automata/types.js';
import { numStates } from '../automata/types.js';
import { labelsOf, numClasses } from '../automata/labels.js';
import { transformationSemigroup } from '../algebra/semigroup.js';
import { SemigroupSizeError } from '../algebra/froidure-pin.js';
import { Network, positionFeatures, shiftHead, shiftLeakBound } from './network.js';
import { HEAD_SCALE, ShortcutError, MAX_PARAMETERS, type Plan } from './common.js';
import { cayleyTable, MAX_COSET_SEARCH, smallFaithfulAction, transformationGroup } from './groups.js';

export type Representation = 'elements' | 'maps' | 'cosets';

/** Longest length the selecting heads are proven exact at (shiftLeakBound ≤ 1e-3). */
export const PREFIX_MAX_LENGTH = 512;

/** Largest |T(A)| the 'elements' code enumerates (its MLP has 2|S|² units per layer). */
export const PREFIX_MAX_ELEMENTS = 4096;

export function prefixLayers(T: number): number {
  return Math.max(1, Math.ceil(Math.log2(T)));
}

/** Sizes of the two codes without building anything (|S| only when known). */
export function prefixPlan(n: number, size: number | undefined, T: number, letters: number, classes: number, cosetDegree?: number, readout = false): Record<Representation, Plan | undefined> {
  const L = prefixLayers(T);
  const ctx = 2 ** L;
  const plan = (m: number, hidden: number, extra = 0, extraWidth = 0): Plan => {
    const used = 5 + L + 2 * m + extraWidth;
    const d = 4 * Math.ceil(Math.max(used, 2) / 4);
    const layers = L + extra;
    const parameters = letters * d + ctx * d + layers * (4 * d * d + 4 * d + 2 * d * hidden + hidden) + d * classes + classes;
    return { layers, width: d, heads: 1, mlpWidth: hidden, parameters, maxLength: ctx };
  };
  const c = cosetDegree;
  return {
    elements: size === undefined ? undefined : plan(size, 2 * size + 2 * size * size),
    maps: plan(n * n, 4 * n * n + 2 * n * n * n),
    cosets: c === undefined ? undefined : plan(c * c, Math.max(4 * c * c + 2 * c * c * c, readout ? 2 * size! : 0), readout ? 1 : 0, readout ? classes : 0),
  };
}

export interface PrefixOptions {
  representation?: Representation | 'auto';
}

export function compilePrefix(a: Automaton, T: number, o: PrefixOptions = {}): { net: Network; plan: Plan; representation: Representation; semigroupSize?: number } {
  const n = numStates(a);
  const k = a.delta.length;
  const labels = labelsOf(a);
  const C = numClasses(labels);
  const q0 = a.start ?? 0;
  const L = prefixLayers(T);
  const ctx = 2 ** L;
  if (ctx > PREFIX_MAX_LENGTH) throw new ShortcutError(`prefix: ${a.name} at length ${T} needs ${L} layers covering ${ctx} positions, beyond the proven bound ${PREFIX_MAX_LENGTH} (the selecting heads' float32 leak bound)`);
  if (shiftLeakBound(ctx) > 1e-3) throw new ShortcutError(`internal: leak bound ${shiftLeakBound(ctx)} at ${ctx}`);
  let S: ReturnType<typeof transformationSemigroup> | undefined;
  const want = o.representation ?? 'auto';
  if (want !== 'maps') {
    try {
      S = transformationSemigroup(a, { maxSize: PREFIX_MAX_ELEMENTS });
    } catch (e) {
      if (!(e instanceof SemigroupSizeError)) throw e;
      if (want === 'elements') throw new ShortcutError(`prefix: ${a.name} has a transformation semigroup of more than ${PREFIX_MAX_ELEMENTS} elements, the limit of the 'elements' code (use the 'maps' code)`);
    }
  }
  // A permutation automaton may have a faithful action on fewer points than its states.
  const G = want === 'auto' || want === 'cosets' ? transformationGroupOrUndefined(a) : undefined;
  const action = G ? smallFaithfulAction(G, n) : undefined;
  const elementLabels = G ? G.maps.map((mp) => labels[mp[q0]]) : [];
  const readout = new Set(elementLabels).size < elementLabels.length;
  const plans = prefixPlan(n, S?.size ?? G?.size, T, k, C, action?.degree, readout);
  if (want === 'cosets' && !plans.cosets) throw new ShortcutError(`prefix: ${a.name} has no faithful group action on fewer than its ${n} states (the 'cosets' code needs a permutation automaton whose group of at most ${MAX_COSET_SEARCH} elements has one)`);
  const rep: Representation = want === 'auto' ? (['elements', 'maps', 'cosets'] as const).filter((r) => plans[r]).sort((x, y) => plans[x]!.parameters - plans[y]!.parameters)[0] : want;
  const plan = plans[rep]!;
  if (plan.parameters > MAX_PARAMETERS) {
    throw new ShortcutError(`prefix: ${a.name} at length ${T} needs ${plan.parameters.toLocaleString('en-US')} parameters (${rep} code: |Q| = ${n}${S ? `, |T(A)| = ${S.size}` : ''}), more than the limit ${MAX_PARAMETERS.toLocaleString('en-US')}`);
  }
  const net = new Network(k, C, plan.layers, ctx);
  const { one, pos, sq } = positionFeatures(net);
  const gates = net.slot('gates', L);
  for (let t = 0; t < ctx; t++) for (let l = 0; l < L; l++) if (t >= 2 ** l) net.setPosition(t, gates.offset + l, 1);
  if (rep === 'elements') {
    const m = S!.size;
    const E = net.slot('E', m);
    const R = net.slot('R', m);
    const mul = cayleyTable(S!);
    for (let x = 0; x < k; x++) net.setEmbed(x, E.offset + S!.generatorIndex(x), 1);
    for (let l = 0; l < L; l++) {
      net.attention(l, shiftHead(2 ** l, one, pos, sq, E, R));
      for (let i = 0; i < m; i++) net.copy(l, R.offset + i, R.offset + i, -1);
      for (let x = 0; x < m; x++) {
        for (let y = 0; y < m; y++) {
          const xy = mul[x * m + y];
          if (xy === y) continue; // E unchanged: the unit would write +1 and −1 to one place
          net.and(l, [[R.offset + x, 1], [E.offset + y, 1], [gates.offset + l, 1]], 3, [[E.offset + xy, 1], [E.offset + y, -1]]);
        }
      }
    }
    for (let s = 0; s < m; s++) net.setHead(labels[S!.element(s)[q0]], E.offset + s, HEAD_SCALE);
  } else {
    // The maps code on Q, or on the cosets of a core-free subgroup.
    const deg = rep === 'maps' ? n : action!.degree;
    const letterMap = (x: number) => (rep === 'maps' ? a.delta[x] : action!.perm[G!.letters[x]]);
    const E = net.slot('E', deg * deg);
    const R = net.slot('R', deg * deg);
    for (let x = 0; x < k; x++) for (let q = 0; q < deg; q++) net.setEmbed(x, E.offset + q * deg + letterMap(x)[q], 1);
    for (let l = 0; l < L; l++) {
      const g: [number, number] = [gates.offset + l, 1];
      net.attention(l, shiftHead(2 ** l, one, pos, sq, E, R));
      for (let i = 0; i < deg * deg; i++) {
        net.copy(l, R.offset + i, R.offset + i, -1);
        net.and(l, [[E.offset + i, 1], g], 2, [[E.offset + i, -1]]);
      }
      for (let q = 0; q < deg; q++) {
        for (let p = 0; p < deg; p++) {
          for (let r = 0; r < deg; r++) net.and(l, [[R.offset + q * deg + p, 1], [E.offset + p * deg + r, 1], g], 3, [[E.offset + q * deg + r, 1]]);
        }
      }
    }
    if (rep === 'maps') for (let r = 0; r < n; r++) net.setHead(labels[r], E.offset + q0 * n + r, HEAD_SCALE);
    else if (!readout) {
      action!.perm.forEach((pm, el) => pm.forEach((y, x) => net.setHead(elementLabels[el], E.offset + x * deg + y, HEAD_SCALE / 2)));
    } else {
      const lab = net.slot('label', C);
      action!.perm.forEach((pm, el) => net.and(L, pm.map((y, x) => [E.offset + x * deg + y, 1] as [number, number]), deg, [[lab.offset + elementLabels[el], 1]]));
      for (let c = 0; c < C; c++) net.setHead(c, lab.offset + c, HEAD_SCALE);
    }
  }
  // The elements code skips units with x·y = y, so report the model actually built.
  const built = net.plan();
  return { net, plan: { ...plan, width: built.width, mlpWidth: built.mlpWidth, parameters: built.parameters }, representation: rep, ...(S ? { semigroupSize: S.size } : {}) };
}

/** T(A) as a group when it is a small one (the 'cosets' code), else undefined. */
function transformationGroupOrUndefined(a: Automaton) {
  try {
    return transformationGroup(a);
  } catch (e) {
    if (e instanceof ShortcutError) return undefined;
    throw e;
  }
}
