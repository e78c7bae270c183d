/**
 * Reset levels: an automaton whose holonomy decomposition (src/algebra/krohn-rhodes) has only
 * trivial groups — a cascade of resets (flip-flops), e.g. gridworld:N and dyck:K,M — in 2L − 1
 * layers for L levels, independent of T.
 *
 * At level k the letter σ_t acts on coordinate x_k by a map that depends on σ_t and the levels
 * above at t − 1 (stepCascade): the identity or a reset to a value v. So x_k(t) is the value of
 * the last reset at or before t, or x_k(0) when there was none. Per level, one block fetches
 * x_{<k}(t−1) with a selecting head on t − 1 and looks up (σ_t, x_{<k}(t−1)) → (reset flag, v) with
 * ramp units (the top level's map depends on σ_t only: it comes with the embedding); the next
 * block's head selects the last flagged position, score 32·(maxLength·flag_j + j) (the latest
 * flag wins by ≥ 32; with no flag, j = t wins and reads flag 0), and writes v − flag·x_k(0) over
 * the x_k(0) the position table put there. The final block's MLP looks up the label of the
 * reachable configuration (x_1..x_L). Scores are integers ≤ 64·maxLength: exact in float32.
 */
import type { Automaton } from '../automata/types.js';
import { numStates } from '../automata/types.js';
import { labelsOf, numClasses } from '../automata/labels.js';
import { cascadeOf, holonomyDecomposition } from '../algebra/krohn-rhodes/decomposition.js';
import { decodeState, encodeState, stepCascade } from '../algebra/krohn-rhodes/cascade.js';
import { HEAD_SCALE, MAX_PARAMETERS, ShortcutError, type Plan } from './common.js';
import { GAP, Network, positionFeatures, shiftHead, type Head, type Terms } from './network.js';

/** Most reachable cascade configurations the lookups enumerate. */
export const MAX_CONFIGURATIONS = 65536;

interface ResetCascade {
  sizes: number[];
  x0: number[];
  /** Reachable configurations. */
  configs: number[][];
  /** Per level: key `${letter}|${x_<k}` → reset value, or −1 for the identity. */
  maps: Map<string, number>[];
  decode(x: readonly number[]): number;
}

/** The reset cascade of `a`, or a refusal naming the group component that prevents it. */
export function resetCascade(a: Automaton): ResetCascade | string {
  const n = numStates(a);
  const d = holonomyDecomposition(a.delta, n);
  for (const [k, lev] of d.levels.entries()) {
    for (const c of lev.components) {
      if (!c.group) continue;
      const nonAbelian = c.group.factors.filter((f) => !/^C\d+$/.test(f));
      const name = c.group.structure ?? `of order ${c.group.order}`;
      return nonAbelian.length
        ? `${a.name}'s holonomy decomposition has the group ${name} at level ${k + 1}, with non-abelian composition factor ${nonAbelian.join(', ')}`
        : `${a.name}'s holonomy decomposition has the group ${name} at level ${k + 1} beside resets; cascades mixing reset and group levels are not implemented`;
    }
  }
  const c = cascadeOf(d);
  const x0 = encodeState(c.skeleton, c.layout, a.start ?? 0);
  const seen = new Map<string, number[]>([[x0.join(','), x0]]);
  const maps = c.layout.levels.map(() => new Map<string, number>());
  const queue = [x0];
  while (queue.length) {
    const x = queue.pop()!;
    for (let s = 0; s < a.delta.length; s++) {
      const { y, maps: ms } = stepCascade(c.skeleton, c.layout, c.delta, x, s);
      ms.forEach((m, k) => {
        let v: number;
        if (m.kind === 'constant') v = m.value;
        else if (m.kind === 'identity' || m.perm.every((p, i) => p === i)) v = -1;
        else throw new Error(`internal: a non-trivial permutation at level ${k + 1} of a group-free cascade`);
        const key = `${s}|${x.slice(0, k).join(',')}`;
        const old = maps[k].get(key);
        if (old !== undefined && old !== v) throw new Error(`internal: level ${k + 1}'s map is not a function of the levels above`);
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
  return { sizes: c.layout.levels.map((l) => l.size), x0, configs: [...seen.values()], maps, decode: (x) => decodeState(c.skeleton, c.layout, x) };
}

export function compileResets(a: Automaton, T: number, maxLength?: number): { net: Network; plan: Plan; levels: number[] } {
  const rc = resetCascade(a);
  if (typeof rc === 'string') throw new ShortcutError(`cascade: ${rc}`);
  const ctx = maxLength ?? T;
  if (ctx > 4096) throw new ShortcutError(`cascade: length ${ctx} is beyond the bound 4096 of the reset cascade's position features`);
  const { sizes, x0, configs, maps } = rc;
  const L = sizes.length;
  const k = a.delta.length;
  const labels = labelsOf(a);
  const C = numClasses(labels);
  const layers = 2 * L - 1;
  const net = new Network(k, C, layers, ctx);
  const { one, pos, sq, first, later } = positionFeatures(net);
  const letter = net.slot('letter', k);
  const X = net.slot('X', sizes.reduce((s, m) => s + m, 0));
  const xOff: number[] = [];
  sizes.reduce((o, m) => (xOff.push(o), o + m), X.offset);
  const RS = sizes.map((m, l) => net.slot(`reset${l}`, 1 + m)); // flag, one-hot value
  const F = sizes.map((_, l) => (l === 0 ? undefined : net.slot(`F${l}`, xOff[l] - X.offset)));
  const lab = net.slot('label', C);
  for (let t = 0; t < ctx; t++) sizes.forEach((_, l) => net.setPosition(t, xOff[l] + x0[l], 1));
  const resetOut = (l: number, v: number): [number, number][] => [
    [RS[l].offset, 1],
    [RS[l].offset + 1 + v, 1],
  ];
  for (let s = 0; s < k; s++) {
    net.setEmbed(s, letter.offset + s, 1);
    const v = maps[0].get(`${s}|`);
    if (v !== undefined && v >= 0) for (const [i, w] of resetOut(0, v)) net.setEmbed(s, i, w);
  }
  const lastReset = (l: number): Head => {
    const v = new Map<number, Terms>();
    const o = new Map<number, Terms>();
    v.set(0, [[RS[l].offset, 1]]);
    o.set(0, [[xOff[l] + x0[l], -1]]);
    for (let i = 0; i < sizes[l]; i++) {
      v.set(1 + i, [[RS[l].offset + 1 + i, 1]]);
      o.set(1 + i, [[xOff[l] + i, 1]]);
    }
    return { dims: 1 + sizes[l], q: new Map([[0, [[one, GAP * ctx]]], [1, [[one, GAP]]]]), k: new Map([[0, [[RS[l].offset, 1]]], [1, [[pos, 1]]]]), v, o };
  };
  let layer = 0;
  for (let l = 0; l < L; l++) {
    if (l > 0) {
      const Fl = F[l]!;
      net.attention(layer, shiftHead(1, one, pos, sq, { name: 'X<', offset: X.offset, size: Fl.size }, Fl));
      // Lookup (σ_t, x_<l(t−1)) → reset; at t = 0 the context is x(0).
      for (const [key, v] of maps[l]) {
        if (v < 0) continue;
        const [s, ctxText] = key.split('|');
        const xs = ctxText.split(',').map(Number);
        const terms: [number, number][] = [[letter.offset + Number(s), 1], [later, 1]];
        xs.forEach((e, j) => terms.push([Fl.offset + (xOff[j] - X.offset) + e, 1]));
        net.and(layer, terms, terms.length, resetOut(l, v));
      }
      for (let s = 0; s < k; s++) {
        const v = maps[l].get(`${s}|${x0.slice(0, l).join(',')}`);
        if (v !== undefined && v >= 0) net.and(layer, [[letter.offset + s, 1], [first, 1]], 2, resetOut(l, v));
      }
      layer++;
    }
    net.attention(layer, lastReset(l));
    if (l < L - 1) layer++;
  }
  // The label of each reachable configuration, looked up in the last block's MLP.
  for (const x of configs) {
    const terms = x.map((e, j) => [xOff[j] + e, 1] as [number, number]);
    net.and(layer, terms, terms.length, [[lab.offset + labels[rc.decode(x)], 1]]);
  }
  for (let c = 0; c < C; c++) net.setHead(c, lab.offset + c, HEAD_SCALE);
  const p = net.plan();
  const plan: Plan = { layers, width: p.width, heads: p.heads, mlpWidth: p.mlpWidth, parameters: p.parameters, maxLength: ctx };
  if (plan.parameters > MAX_PARAMETERS) throw new ShortcutError(`cascade: ${a.name} needs ${plan.parameters} parameters, more than the limit ${MAX_PARAMETERS}`);
  return { net, plan, levels: sizes };
}
