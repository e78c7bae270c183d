/**
 * Holonomy levels: an automaton whose holonomy decomposition (src/algebra/krohn-rhodes) has reset
 * components and *abelian* group components — a cascade of resets (flip-flops) and modular
 * counters, e.g. gridworld:N and dyck:K,M (resets only), a counter with a reset letter, or
 * flipflop × parity (a group and resets at every level) — in a depth independent of T.
 *
 * At level k the letter σ_t acts on coordinate x_k by a map that depends on σ_t and the levels
 * above at t − 1 (stepCascade): the identity, a reset to a value v, or a permutation π of the
 * level's tiles from its holonomy group H_k.
 *  - Reset-only level: x_k(t) is the value of the last reset at or before t, or x_k(0) when there
 *    was none. One block fetches x_{<k}(t−1) with a selecting head on t − 1 and looks up
 *    (σ_t, x_{<k}(t−1)) → (reset flag, v) with ramp units (the top level's map depends on σ_t only:
 *    it comes with the embedding); the next block's head selects the last flagged position, score
 *    32·(maxLength·flag_j + j) (the latest flag wins by ≥ 32; with no flag, j = t wins and reads
 *    flag 0), and writes v − flag·x_k(0) over the x_k(0) the position table put there.
 *  - Level with an abelian group: H_k ≅ Z_n1 × … (a basis by search, groups.ts); the permutations
 *    after the last reset τ commute, so x_k(t) = v·(π_{τ+1}⋯π_t) = v·g(c(t) − c(τ)) with
 *    c(t) = Σ_{u ≤ t} w(π_u) the prefix count mod n_i (w = 0 for resets and identities). Block A
 *    looks up (flag, v) or w; block B averages w and counts mod n_i (levels.ts's steps); block C's
 *    head selects the last flagged position as above and fetches (flag, v, c(τ)); its MLP looks
 *    up x_k from (v, c(t), c(τ)) — or from (x_k(0), c(t)) when no flag was fetched.
 * The final MLP looks up the label of the reachable configuration (x_1..x_L): in the last reset
 * block, or one more layer after a group level. Layers: Σ_k (2 per reset level, 3 per group
 * level) − 1 (+1 when the last level has a group). Non-abelian holonomy groups are refused, naming
 * the group and its composition factors.
 * Scores are integers ≤ 64·maxLength: exact in float32; the counts follow countingMaxLength.
 */
import type { Automaton } from '../automata/types.js';
import { numStates } from '../automata/types.js';
import { labelsOf, numClasses } from '../automata/labels.js';
import { cascadeOf, holonomyDecomposition } from '../algebra/krohn-rhodes/decomposition.js';
import { decodeState, encodeState, stepCascade } from '../algebra/krohn-rhodes/cascade.js';
import { HEAD_SCALE, MAX_PARAMETERS, ShortcutError, type Plan } from './common.js';
import { abelianQuotient, isAbelian, transformationGroup, type AbelianQuotient, type FiniteGroup } from './groups.js';
import { countingMaxLength } from './levels.js';
import { averageHead, GAP, Network, positionFeatures, shiftHead, type Head, type Terms } from './network.js';

/** Most reachable cascade configurations the lookups enumerate. */
export const MAX_CONFIGURATIONS = 65536;
/** Most units of a group level's lookup (tiles × |H|², plus the no-reset case). */
export const MAX_LOOKUP_UNITS = 200_000;

/** A level's map for one (letter, context): −1 identity, v ≥ 0 reset to v, or a permutation of the level's points. */
type LevelAction = number | readonly number[];

/** The abelian group of a level, acting on its points; weight(π) = its exponent vector. */
interface LevelGroup {
  G: FiniteGroup;
  Q: AbelianQuotient;
  /** Element index of a permutation of the level's points. */
  element(perm: readonly number[]): number;
}

interface HolonomyCascade {
  sizes: number[];
  x0: number[];
  /** Reachable configurations. */
  configs: number[][];
  /** Per level: key `${letter}|${x_<k}` → action. */
  maps: Map<string, LevelAction>[];
  /** Per level: its abelian group, or undefined for a reset-only level. */
  groups: (LevelGroup | undefined)[];
  decode(x: readonly number[]): number;
}

/** The holonomy cascade of `a` with resets and abelian groups, or a refusal naming the group that prevents it. */
export function resetCascade(a: Automaton): HolonomyCascade | string {
  const n = numStates(a);
  const d = holonomyDecomposition(a.delta, n);
  for (const [k, lev] of d.levels.entries()) {
    for (const c of lev.components) {
      if (!c.group) continue;
      const nonAbelian = c.group.factors.filter((f) => !/^C\d+$/.test(f));
      const name = c.group.structure ?? `of order ${c.group.order}`;
      if (nonAbelian.length) return `${a.name}'s holonomy decomposition has the group ${name} at level ${k + 1}, with non-abelian composition factor ${nonAbelian.join(', ')}`;
      const abelian = c.group.derivedLengths ? c.group.derivedLengths.length <= 2 : true;
      if (!abelian) return `${a.name}'s holonomy decomposition has the non-abelian group ${name} (composition factors ${c.group.factors.join(', ')}) at level ${k + 1}; cascade levels count in abelian groups only (a derived series inside a holonomy level is not implemented)`;
    }
  }
  const c = cascadeOf(d);
  const sizes = c.layout.levels.map((l) => l.size);
  const x0 = encodeState(c.skeleton, c.layout, a.start ?? 0);
  const seen = new Map<string, number[]>([[x0.join(','), x0]]);
  const maps = c.layout.levels.map(() => new Map<string, LevelAction>());
  const queue = [x0];
  while (queue.length) {
    const x = queue.pop()!;
    for (let s = 0; s < a.delta.length; s++) {
      const { y, maps: ms } = stepCascade(c.skeleton, c.layout, c.delta, x, s);
      ms.forEach((m, k) => {
        let v: LevelAction;
        if (m.kind === 'constant') v = m.value;
        else if (m.kind === 'identity' || m.perm.every((p, i) => p === i)) v = -1;
        else {
          // The component's permutation, extended by the identity to the level's other points.
          const off = c.layout.levels[k].offsets[m.component];
          const full = Array.from({ length: sizes[k] }, (_, i) => i);
          m.perm.forEach((p, i) => (full[off + i] = off + p));
          v = full;
        }
        const key = `${s}|${x.slice(0, k).join(',')}`;
        const old = maps[k].get(key);
        if (old !== undefined && String(old) !== String(v)) throw new Error(`internal: level ${k + 1}'s map is not a function of the levels above`);
        maps[k].set(key, v);
      });
      const key = y.join(',');
      if (!seen.has(key)) {
        if (seen.size >= MAX_CONFIGURATIONS) return `${a.name}'s reset cascade has more than ${MAX_CONFIGURATIONS} reachable configurations, the limit of its lookups`;
        seen.set(key, y);
        queue.push(y);
      }
    }
  }
  const groups = maps.map((m, k) => levelGroup(a.name, k, sizes[k], [...m.values()].filter((v): v is readonly number[] => typeof v !== 'number')));
  const bad = groups.find((g) => typeof g === 'string');
  if (bad) return bad as string;
  return { sizes, x0, configs: [...seen.values()], maps, groups: groups as (LevelGroup | undefined)[], decode: (x) => decodeState(c.skeleton, c.layout, x) };
}

/** The group generated by a level's permutations (undefined: none), checked abelian. */
function levelGroup(name: string, k: number, size: number, perms: readonly (readonly number[])[]): LevelGroup | undefined | string {
  if (perms.length === 0) return undefined;
  const gens = [...new Map(perms.map((p) => [p.join(','), p])).values()];
  const G = transformationGroup({ name: `${name} level ${k + 1}`, delta: gens, start: 0 });
  if (!G) throw new Error('internal: a level permutation is not a permutation');
  const all = Array.from({ length: G.size }, (_, i) => i);
  if (!isAbelian(G, all)) return `${name}'s holonomy level ${k + 1} permutes its tiles by a non-abelian group of order ${G.size}; cascade levels count in abelian groups only`;
  const Q = abelianQuotient(G, all, [G.identity]);
  const index = new Map(G.maps.map((m, i) => [m.join(','), i]));
  return { G, Q, element: (p) => index.get(p.join(','))! };
}

export function compileResets(a: Automaton, T: number, maxLength?: number): { net: Network; plan: Plan; levels: number[]; groups: number[][] } {
  const rc = resetCascade(a);
  if (typeof rc === 'string') throw new ShortcutError(`cascade: ${rc}`);
  const ctx = maxLength ?? T;
  if (ctx > 4096) throw new ShortcutError(`cascade: length ${ctx} is beyond the bound 4096 of the reset cascade's position features`);
  const { sizes, x0, configs, maps, groups } = rc;
  for (const g of groups) {
    for (const n of g?.Q.orders ?? []) {
      const bound = countingMaxLength(n);
      if (ctx > bound) throw new ShortcutError(`cascade: counting mod ${n} in a holonomy level is proven exact up to length ${bound} in float32; ${ctx} asked`);
    }
  }
  const L = sizes.length;
  const k = a.delta.length;
  const labels = labelsOf(a);
  const C = numClasses(labels);
  const hasGroup = groups.map((g) => g !== undefined);
  const layers = sizes.reduce((s, _, l) => s + (l > 0 ? 1 : 0) + (hasGroup[l] ? 2 : 1), 0) + (hasGroup[L - 1] ? 1 : 0);
  const net = new Network(k, C, layers, ctx);
  const { one, pos, sq, first, later } = positionFeatures(net);
  const inv = net.slot('1/(t+1)', 1).offset;
  const letter = net.slot('letter', k);
  const X = net.slot('X', sizes.reduce((s, m) => s + m, 0));
  const xOff: number[] = [];
  sizes.reduce((o, m) => (xOff.push(o), o + m), X.offset);
  const RS = sizes.map((m, l) => net.slot(`reset${l}`, 1 + m)); // flag, one-hot value
  const F = sizes.map((_, l) => (l === 0 ? undefined : net.slot(`F${l}`, xOff[l] - X.offset)));
  // Group levels: weights W, their average Y, the counts c(t) (one-hot per coordinate), and what
  // the last-reset head fetches: flag, v (base x_k(0)) and c(τ).
  const G = groups.map((g, l) => {
    if (!g) return undefined;
    const orders = g.Q.orders;
    const cOff: number[] = [];
    const total = orders.reduce((s, n) => s + n, 0);
    const Cnt = net.slot(`c${l}`, total);
    orders.reduce((o, n) => (cOff.push(o), o + n), 0);
    return { g, orders, cOff, W: net.slot(`W${l}`, orders.length), Y: net.slot(`Y${l}`, orders.length), Cnt, Ct: net.slot(`cτ${l}`, total), V: net.slot(`v${l}`, sizes[l]), Fl: net.slot(`flag${l}`, 1) };
  });
  const lab = net.slot('label', C);
  for (let t = 0; t < ctx; t++) {
    net.setPosition(t, inv, 1 / (t + 1));
    sizes.forEach((_, l) => {
      const gl = G[l];
      if (!gl) return void net.setPosition(t, xOff[l] + x0[l], 1);
      net.setPosition(t, gl.V.offset + x0[l], 1);
      for (const o of gl.cOff) net.setPosition(t, gl.Cnt.offset + o, 1); // e_0: the count before any step
    });
  }
  // What a lookup writes for an action: reset flag and value, or the group weight vector.
  const actionOut = (l: number, v: LevelAction): [number, number][] => {
    if (typeof v === 'number') return v < 0 ? [] : [[RS[l].offset, 1], [RS[l].offset + 1 + v, 1]];
    const gl = G[l]!;
    const w = gl.g.Q.coords[gl.g.Q.coset[gl.g.element(v)]];
    return w.map((e, i) => [gl.W.offset + i, e] as [number, number]).filter(([, e]) => e !== 0);
  };
  for (let s = 0; s < k; s++) {
    net.setEmbed(s, letter.offset + s, 1);
    const v = maps[0].get(`${s}|`);
    if (v !== undefined) for (const [i, w] of actionOut(0, v)) net.setEmbed(s, i, w);
  }
  const lastReset = (l: number): Head => {
    const v = new Map<number, Terms>();
    const o = new Map<number, Terms>();
    const gl = G[l];
    // Reset-only level: write v − flag·x_k(0) into X_k. Group level: into V_k, plus the flag and
    // c(τ) (no base: without a reset it reads c(t), a one-hot the lookup's flag term rules out).
    const target = gl ? gl.V.offset : xOff[l];
    v.set(0, [[RS[l].offset, 1]]);
    o.set(0, [[target + x0[l], -1], ...(gl ? [[gl.Fl.offset, 1] as [number, number]] : [])]);
    for (let i = 0; i < sizes[l]; i++) {
      v.set(1 + i, [[RS[l].offset + 1 + i, 1]]);
      o.set(1 + i, [[target + i, 1]]);
    }
    let dims = 1 + sizes[l];
    if (gl) {
      // c(τ): the count at the selected position; at an unflagged one (no reset yet) it is gated below.
      for (let i = 0; i < gl.Cnt.size; i++) {
        v.set(dims + i, [[gl.Cnt.offset + i, 1]]);
        o.set(dims + i, [[gl.Ct.offset + i, 1]]);
      }
      dims += gl.Cnt.size;
    }
    return { dims, q: new Map([[0, [[one, GAP * ctx]]], [1, [[one, GAP]]]]), k: new Map([[0, [[RS[l].offset, 1]]], [1, [[pos, 1]]]]), v, o };
  };
  const tuples = (orders: readonly number[]): number[][] => orders.reduce<number[][]>((acc, n) => acc.flatMap((t) => Array.from({ length: n }, (_, e) => [...t, e])), [[]]);
  let units = 0;
  let layer = 0;
  for (let l = 0; l < L; l++) {
    if (l > 0) {
      const Fl = F[l]!;
      net.attention(layer, shiftHead(1, one, pos, sq, { name: 'X<', offset: X.offset, size: Fl.size }, Fl));
      // Lookup (σ_t, x_<l(t−1)) → action; at t = 0 the context is x(0).
      for (const [key, v] of maps[l]) {
        const out = actionOut(l, v);
        if (!out.length) continue;
        const [s, ctxText] = key.split('|');
        const xs = ctxText.split(',').map(Number);
        const terms: [number, number][] = [[letter.offset + Number(s), 1], [later, 1]];
        xs.forEach((e, j) => terms.push([Fl.offset + (xOff[j] - X.offset) + e, 1]));
        net.and(layer, terms, terms.length, out);
      }
      for (let s = 0; s < k; s++) {
        const v = maps[l].get(`${s}|${x0.slice(0, l).join(',')}`);
        const out = v === undefined ? [] : actionOut(l, v);
        if (out.length) net.and(layer, [[letter.offset + s, 1], [first, 1]], 2, out);
      }
      layer++;
    }
    const gl = G[l];
    if (gl) {
      // Block B: count the weights mod n_i (levels.ts's steps).
      net.attention(layer, averageHead(gl.W, gl.Y));
      const A = 2 * ctx;
      gl.orders.forEach((n, i) => {
        const xo = gl.Cnt.offset + gl.cOff[i];
        for (let v = 1; v <= (n - 1) * ctx; v++) {
          const terms: Terms = [[gl.Y.offset + i, A], [inv, -A * (v - 0.5)]];
          const out: [number, number][] = [[xo + (v % n), 1], [xo + ((v - 1) % n), -1]];
          net.relu(layer, terms, 0.5, out);
          net.relu(layer, terms, -0.5, out.map(([j, w]) => [j, -w]));
        }
      });
      layer++;
      // Block C: fetch (flag, v, c(τ)) at the last reset; x_k = v·g(c(t) − c(τ)), or x_k(0)·g(c(t)) without one.
      net.attention(layer, lastReset(l));
      const H = tuples(gl.orders);
      const oneHot = (slot: number, c: readonly number[]) => c.map((e, i) => [slot + gl.cOff[i] + e, 1] as [number, number]);
      const act = (x: number, c: readonly number[]) => gl.g.G.maps[gl.g.Q.rep[gl.g.Q.cosetOf(c)]][x];
      const points = [...new Set(configs.map((x) => x[l]))];
      units += H.length * (1 + points.length * H.length) * 2;
      if (units > MAX_LOOKUP_UNITS) throw new ShortcutError(`cascade: ${a.name}'s group level ${l + 1} needs ${units} lookup units, more than the limit ${MAX_LOOKUP_UNITS}`);
      for (const c1 of H) {
        const terms: [number, number][] = [...oneHot(gl.Cnt.offset, c1), [one, 1], [gl.Fl.offset, -1]];
        net.and(layer, terms, terms.length - 1, [[xOff[l] + act(x0[l], c1), 1]]);
        for (const c0 of H) {
          const diff = c1.map((e, i) => e - c0[i]);
          for (const v of points) {
            const t2: [number, number][] = [[gl.V.offset + v, 1], ...oneHot(gl.Cnt.offset, c1), ...oneHot(gl.Ct.offset, c0), [gl.Fl.offset, 1]];
            net.and(layer, t2, t2.length, [[xOff[l] + act(v, diff), 1]]);
          }
        }
      }
      layer++;
    } else {
      net.attention(layer, lastReset(l));
      if (l < L - 1) layer++;
    }
  }
  // The label of each reachable configuration, looked up in the last block's MLP.
  for (const x of configs) {
    const terms = x.map((e, j) => [xOff[j] + e, 1] as [number, number]);
    net.and(layer, terms, terms.length, [[lab.offset + labels[rc.decode(x)], 1]]);
  }
  for (let c = 0; c < C; c++) net.setHead(c, lab.offset + c, HEAD_SCALE);
  if (layer !== layers - 1) throw new Error(`internal: ${layer + 1} layers built, ${layers} planned`);
  const p = net.plan();
  const plan: Plan = { layers, width: p.width, heads: p.heads, mlpWidth: p.mlpWidth, parameters: p.parameters, maxLength: ctx };
  if (plan.parameters > MAX_PARAMETERS) throw new ShortcutError(`cascade: ${a.name} needs ${plan.parameters} parameters, more than the limit ${MAX_PARAMETERS}`);
  return { net, plan, levels: sizes, groups: groups.map((g) => g?.Q.orders ?? []) };
}
