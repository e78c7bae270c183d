/**
 * Counting levels: a solvable permutation group G = T(A) as a cascade of abelian groups, each
 * simulated by modular counting (the talk's car on a circle: direction = parity of U-turns,
 * position = signed sum mod N). Used by `counting` (one level: G abelian) and `cascade`.
 *
 * The algebra. Let G = G_0 ▷ G_1 ▷ … ▷ G_m = 1 with abelian quotients A_ℓ = G_ℓ/G_{ℓ+1} (the
 * derived series, stopped at the first abelian term), rep_ℓ a section A_ℓ → G_ℓ with rep(0) = 1.
 * The prefix product p_t = g_1⋯g_t (apply g_1 first) is written p = n_0·rep_0(π_0) with n_0 ∈ G_1;
 * then p_t = p_{t−1}·g_t gives
 *     π_0(t) = π_0(t−1) + [g_t]                   (counting in A_0)
 *     n_0(t) = n_0(t−1)·h_t,  h_t = rep_0(π_0(t−1))·g_t·rep_0(π_0(t))⁻¹ ∈ G_1,
 * so G_1 runs the same recursion on the letters h_t, which depend on g_t and π_0(t−1) only (a
 * wreath-product cascade). Unrolled: π_ℓ(t) = Σ_{u ≤ t} w_ℓ(σ_u, π_{<ℓ}(u−1)) in A_ℓ ≅ Z_n1 × … ,
 * and p_t = rep_{m−1}(π_{m−1})·…·rep_0(π_0); the state is q_t = q_0·p_t.
 *
 * The network, per level ℓ: a block that reads π_{<ℓ}(t−1) (a selecting head on t − 1; the first
 * position uses π(−1) = 0 through a [t = 0] feature) and looks up the weight vector w_ℓ(σ_t, ·)
 * with ramp units; then a block whose head averages the weights uniformly, y = Σ w / (t+1), and
 * whose MLP recovers the count mod n_i with steps s_v = [m ≥ v], v = 1..(n_i − 1)·maxLength:
 *     z_v = A·y − A·(v − ½)·(1/(t+1)),  A = 2·maxLength  ⇒  z_v ≥ 1 if m ≥ v, z_v ≤ −1 if m < v,
 *     s_v = ReLU(z_v + ½) − ReLU(z_v − ½),   one-hot(m mod n) = e_0 + Σ_v s_v·(e_{v mod n} − e_{(v−1) mod n}).
 * Level 0's weights depend on the letter only, so they come with the embedding: 2m − 1 blocks.
 *
 * float32: y carries a relative error ≤ (t+3)·2^-24 (uniform softmax weights, one sum), so z is
 * off by ≤ 2·A·(n−1)·(T+3)·2^-24; countingMaxLength keeps that ≤ ¼ (half the ramp's slack).
 */
import type { Automaton } from '../automata/types.js';
import { labelsOf, numClasses } from '../automata/labels.js';
import { Network, averageHead, positionFeatures, shiftHead, shiftLeakBound, type Terms } from './network.js';
import { HEAD_SCALE, MAX_PARAMETERS, ShortcutError, type Plan } from './common.js';
import { abelianQuotient, commutatorSubgroup, isAbelian, type AbelianQuotient, type FiniteGroup } from './groups.js';

export interface GroupCascade {
  readonly G: FiniteGroup;
  readonly levels: AbelianQuotient[];
}

/** The derived series' abelian levels, or the perfect subgroup where it stops (G not solvable). */
export function groupCascade(G: FiniteGroup): GroupCascade | { perfect: number[] } {
  let H = Array.from({ length: G.size }, (_, i) => i);
  const levels: AbelianQuotient[] = [];
  while (H.length > 1) {
    const K = isAbelian(G, H) ? [G.identity] : commutatorSubgroup(G, H);
    if (K.length === H.length) return { perfect: H };
    levels.push(abelianQuotient(G, H, K));
    H = K;
  }
  return { G, levels };
}

/** Weight vectors of level ℓ for letter element g in context π_{<ℓ}(t−1) (coset indices). */
export function levelWeight(c: GroupCascade, l: number, g: number, context: readonly number[]): number[] {
  const { G, levels } = c;
  const m = (x: number, y: number) => G.mul[x * G.size + y];
  let h = g;
  for (let j = 0; j < l; j++) {
    const Q = levels[j];
    const next = Q.cosetOf(Q.coords[context[j]].map((e, i) => e + Q.coords[Q.coset[h]][i]));
    h = m(m(Q.rep[context[j]], h), G.inverse[Q.rep[next]]);
  }
  return levels[l].coords[levels[l].coset[h]];
}

/** p = rep_{m−1}(π_{m−1})·…·rep_0(π_0) for coset indices π. */
export function cascadeElement(c: GroupCascade, pi: readonly number[]): number {
  const { G, levels } = c;
  let p = G.identity;
  for (let l = levels.length - 1; l >= 0; l--) p = G.mul[p * G.size + levels[l].rep[pi[l]]];
  return p;
}

/** The cascade run on letters (reference for tests): coset indices per level after each letter. */
export function runCascade(c: GroupCascade, word: readonly number[]): number[][] {
  let pi = c.levels.map(() => 0);
  const out: number[][] = [];
  for (const x of word) {
    const g = c.G.letters[x];
    pi = c.levels.map((Q, l) => Q.cosetOf(Q.coords[pi[l]].map((e, i) => e + levelWeight(c, l, g, pi)[i])));
    out.push(pi);
  }
  return out;
}

/** Longest length at which the counting MLP is proven exact for a cyclic factor of order n. */
export function countingMaxLength(n: number): number {
  let T = 1;
  while (2 * (2 * (T + 1)) * (n - 1) * (T + 4) * 2 ** -24 <= 0.25 && shiftLeakBound(T + 1) <= 1e-3) T++;
  return T;
}

export interface LevelsOptions {
  /** Longest sequence the model is exact on (default T). */
  maxLength?: number;
}

/**
 * Compiles the group cascade `c` of automaton `a` (labels: its default labelling). */
export function compileLevels(c: GroupCascade, a: Automaton, T: number, o: LevelsOptions = {}): { net: Network; plan: Plan } {
  const ctx = o.maxLength ?? T;
  const { G, levels } = c;
  const m = levels.length;
  for (const Q of levels) {
    for (const n of Q.orders) {
      const bound = countingMaxLength(n);
      if (ctx > bound) throw new ShortcutError(`counting mod ${n} is proven exact up to length ${bound} in float32; ${ctx} asked`);
    }
  }
  const k = G.letters.length;
  const q0 = a.start ?? 0;
  const labels = labelsOf(a);
  const C = numClasses(labels);
  // Every coordinate tuple and its label: boxes ⇒ a linear head; otherwise one readout block.
  const tuples: number[][] = [];
  const walk = (l: number, pi: number[]) => {
    if (l === m) return void tuples.push(pi);
    for (let x = 0; x < levels[l].coords.length; x++) walk(l + 1, [...pi, x]);
  };
  walk(0, []);
  const coordsOf = (pi: readonly number[]) => pi.flatMap((x, l) => levels[l].coords[x]);
  const labelOf = (pi: readonly number[]) => labels[G.maps[cascadeElement(c, pi)][q0]];
  const boxes = isBoxLabelling(tuples.map(coordsOf), tuples.map(labelOf), C);
  const layers = 2 * m - 1 + (boxes ? 0 : 1);
  const net = new Network(k, C, layers, ctx);
  const { one, pos, sq, first, later } = positionFeatures(net);
  const inv = net.slot('1/(t+1)', 1).offset;
  const letter = net.slot('letter', k);
  // X: every level's coordinates, one-hot, contiguous so that a prefix of levels is one slot.
  const orders = levels.flatMap((Q) => Q.orders);
  const xOffsets: number[] = [];
  const X = net.slot('X', orders.reduce((s, n) => s + n, 0));
  orders.reduce((off, n) => (xOffsets.push(off), off + n), X.offset);
  const coordBase = levels.map((_, l) => levels.slice(0, l).reduce((s, Q) => s + Q.orders.length, 0));
  const W = levels.map((Q, l) => net.slot(`W${l}`, Q.orders.length));
  const Y = levels.map((Q, l) => net.slot(`Y${l}`, Q.orders.length));
  const F = levels.map((_, l) => (l === 0 ? undefined : net.slot(`F${l}`, orders.slice(0, coordBase[l]).reduce((s, n) => s + n, 0))));
  for (let t = 0; t < ctx; t++) {
    net.setPosition(t, inv, 1 / (t + 1));
    for (const off of xOffsets) net.setPosition(t, off, 1); // e_0: the count's residue before any step
  }
  for (let x = 0; x < k; x++) {
    net.setEmbed(x, letter.offset + x, 1);
    levelWeight(c, 0, G.letters[x], []).forEach((w, i) => w && net.setEmbed(x, W[0].offset + i, w));
  }
  let layer = 0;
  levels.forEach((Q, l) => {
    if (l > 0) {
      // Block A: fetch π_{<ℓ}(t−1), look up w_ℓ(σ_t, π_{<ℓ}(t−1)).
      const Fl = F[l]!;
      net.attention(layer, shiftHead(1, one, pos, sq, { name: 'X<', offset: X.offset, size: Fl.size }, Fl));
      {
        const contexts: number[][] = [];
        const walkC = (j: number, pi: number[]) => {
          if (j === l) return void contexts.push(pi);
          for (let x = 0; x < levels[j].coords.length; x++) walkC(j + 1, [...pi, x]);
        };
        walkC(0, []);
        for (let x = 0; x < k; x++) {
          for (const pi of contexts) {
            const w = levelWeight(c, l, G.letters[x], pi);
            if (w.every((e) => e === 0)) continue;
            const terms: [number, number][] = [[letter.offset + x, 1], [later, 1]];
            coordsOf(pi).forEach((e, i) => terms.push([Fl.offset + (xOffsets[i] - X.offset) + e, 1]));
            net.and(layer, terms, terms.length, w.map((e, i) => [W[l].offset + i, e] as const).filter(([, e]) => e !== 0));
          }
          const w0 = levelWeight(c, l, G.letters[x], levels.slice(0, l).map(() => 0));
          if (w0.some((e) => e !== 0)) net.and(layer, [[letter.offset + x, 1], [first, 1]], 2, w0.map((e, i) => [W[l].offset + i, e] as const).filter(([, e]) => e !== 0));
        }
      }
      layer++;
    }
    // Block B: average the weights, count mod n_i.
    net.attention(layer, averageHead(W[l], Y[l]));
    const A = 2 * ctx;
    Q.orders.forEach((n, i) => {
      const y = Y[l].offset + i;
      const xo = xOffsets[coordBase[l] + i];
      for (let v = 1; v <= (n - 1) * ctx; v++) {
        const terms: Terms = [[y, A], [inv, -A * (v - 0.5)]];
        const out: [number, number][] = [[xo + (v % n), 1], [xo + ((v - 1) % n), -1]];
        net.relu(layer, terms, 0.5, out);
        net.relu(layer, terms, -0.5, out.map(([j, w]) => [j, -w]));
      }
    });
    layer++;
  });
  // Readout: logit_c = H·Σ_coords [x_i ∈ box_c,i] (boxes), else a lookup block writing a one-hot label.
  if (boxes) {
    const seen = new Set<string>();
    tuples.forEach((pi, j) => {
      const cls = labelOf(pi);
      coordsOf(pi).forEach((e, i) => {
        const key = `${cls},${i},${e}`;
        if (seen.has(key)) return;
        seen.add(key);
        net.setHead(cls, xOffsets[i] + e, HEAD_SCALE);
      });
      void j;
    });
  } else {
    const lab = net.slot('label', C);
    for (const pi of tuples) {
      const terms = coordsOf(pi).map((e, i) => [xOffsets[i] + e, 1] as [number, number]);
      net.and(layer, terms, terms.length, [[lab.offset + labelOf(pi), 1]]);
    }
    for (let cl = 0; cl < C; cl++) net.setHead(cl, lab.offset + cl, HEAD_SCALE);
  }
  const p = net.plan();
  const plan: Plan = { layers, width: p.width, heads: p.heads, mlpWidth: p.mlpWidth, parameters: p.parameters, maxLength: ctx };
  if (plan.parameters > MAX_PARAMETERS) throw new ShortcutError(`the counting cascade needs ${plan.parameters} parameters, more than the limit ${MAX_PARAMETERS}`);
  return { net, plan };
}

/** True when each class is a product of per-coordinate value sets (a box). */
export function isBoxLabelling(tuples: readonly (readonly number[])[], cls: readonly number[], C: number): boolean {
  for (let c = 0; c < C; c++) {
    const members = tuples.filter((_, j) => cls[j] === c);
    if (members.length === 0) continue;
    const K = members[0].length;
    const proj = Array.from({ length: K }, (_, i) => new Set(members.map((t) => t[i])));
    let box = 1;
    for (const s of proj) box *= s.size;
    // Tuples are distinct, so the class is the whole box iff it has as many members.
    if (box !== members.length) return false;
    // The box must hold no tuple of another class.
    for (let j = 0; j < tuples.length; j++) if (cls[j] !== c && tuples[j].every((e, i) => proj[i].has(e))) return false;
  }
  return true;
}
