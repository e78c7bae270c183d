/**
 * `gridworld`: gridworld:N in 3 layers for every T and N (Liu et al. 2023, Theorem 3: "find the
 * last boundary hit, then count from it").
 *
 * The algebra. Let M = N − 1, x_u = ±1 (left/right), S_u = x_1 + … + x_u the unclamped walk
 * (S_0 = 0, the start at the wall 0). Reading the letters after time s maps the whole interval
 * [0, M] onto an interval of width M − R, R the range of S over [s, t]; so q_t is fixed by the
 * last window [s*, t] of range M (the last boundary hit), and then counts from it:
 * q_t = S_t − min_{[s*, t]} S. With LV(ℓ) the last time u ≤ t at which S_u = ℓ, the levels above
 * and below S_t are last visited in decreasing order, and q_t is the crossing point:
 *     q_t = Σ_{k=0}^{M−1} e_k,   e_k = [LV(S_t − k − 1) > LV(S_t + M − k)],
 * a monotone sequence (e_0 ≥ e_1 ≥ …), so the one-hot of q_t is e_{j−1} − e_j: linear.
 * Levels never visited have LV = −∞, S_0 = 0 has LV = 0. Residues suffice: with P = 2M + 1, a
 * later visit of a level ℓ′ ≡ ℓ (mod P), ℓ′ ≠ ℓ, lies before s* (the walk from ℓ′ to within M of
 * S_t has range > M), so it never changes an e_k (checked on every word: test/shortcuts).
 *
 * The network (the paper's two layers, plus one MLP that re-rounds the residues in float32):
 *  L0  uniform attention averages x: y = I_t/(t+1), I_t = S_{t+1} (positions are 0-based); the
 *      MLP recovers I_t mod P as a one-hot with steps [I ≥ v] (v ≥ 1) and [I ≤ v − 1] (v ≤ 0),
 *      oriented so that every unit far from its threshold is exactly 0 (levels.ts's steps).
 *  L1  a head on t − 1 fetches that one-hot: the residue of S_t, the walk *before* letter t; the
 *      MLP rounds both one-hots (ramps) and writes each residue r as (cos, sin)(2πr/P); the key of
 *      position 0 is left 0.
 *  L2  2M heads, one per offset d ∈ ±1..±M, each selecting the last position u whose walk residue
 *      is that of I_t + d: score C·cos(θ_u − θ_t − 2πd/P) + GAP·u, and C₀ at position 0 (the sink
 *      for "never visited", and S_0 = 0); value u + 1. The MLP compares the two reads of each e_k:
 *      e_k = step(LV − LV′ + ½·[I_t − k − 1 ≡ 0]) (equal reads happen only at the sink, and then
 *      e_k is [the lower level is S_0 = 0]). The head reads the label of q_t linearly from e.
 * float32 bounds: gridworldMaxLength.
 */
import type { Automaton } from '../automata/types.js';
import { numStates } from '../automata/types.js';
import { labelsOf, numClasses } from '../automata/labels.js';
import { HEAD_SCALE, MAX_PARAMETERS, ShortcutError, type Plan } from './common.js';
import { GAP, Network, averageHead, shiftHead, shiftLeakBound, type Head, type Terms } from './network.js';

/** Largest maxLength considered (the position table's rows). */
export const GRIDWORLD_LENGTH_CAP = 4096;

/** N when `a` is gridworld:N (letter 0 left, 1 right, clamped, start 0), else undefined. */
export function gridworldSize(a: Automaton): number | undefined {
  const n = numStates(a);
  if (a.delta.length !== 2 || n < 2 || (a.start ?? 0) !== 0) return undefined;
  for (let q = 0; q < n; q++) if (a.delta[0][q] !== Math.max(q - 1, 0) || a.delta[1][q] !== Math.min(q + 1, n - 1)) return undefined;
  return n;
}

/** Scale C of the last-visit heads: a match beats the best non-match (cos ≤ cos 2π/P) by GAP·(T + 1). */
function visitScale(P: number, T: number): number {
  return (GAP * (T + 1)) / (1 - Math.cos((2 * Math.PI) / P));
}

/**
 * Longest length at which the construction is proven exact in float32 for gridworld:N:
 *  (a) L0's steps: the average carries ≤ (T+3)·2^-24 error, times A = 2T (the counting bound);
 *  (b) its one-hots: ≤ T units are on, each off by ≤ (A+2)·2^-22 (rounding at |pre-activation| ≤ A+1),
 *      kept ≤ ⅕ so L1's ramps round them exactly;
 *  (c) L1's head on t − 1: shiftLeakBound(T) ≤ 1e-3;
 *  (d) L2's scores, ≤ C + GAP·T, carry ε ≤ 9·(C + GAP·T)·2^-24 plus 12·C·2^-24 from the rounded
 *      codes; the weight leaking off the selected position is ≤ T·e^{−(GAP − 2ε)}, times values
 *      ≤ T kept ≤ 1e-3 (the comparison ramp has slack ⅛).
 */
export function gridworldMaxLength(N: number): number {
  const P = 2 * (N - 1) + 1;
  const ok = (T: number) => {
    const A = 2 * T;
    if (2 * A * (T + 3) * 2 ** -24 > 0.25) return false;
    if (T * (A + 2) * 2 ** -22 > 0.2) return false;
    if (shiftLeakBound(T) > 1e-3) return false;
    const C = visitScale(P, T);
    const eps = (9 * (C + GAP * T) + 12 * C) * 2 ** -24;
    return T * T * Math.exp(-(GAP - 2 * eps)) <= 1e-3;
  };
  let T = 1;
  while (T < GRIDWORLD_LENGTH_CAP && ok(T + 1)) T++;
  return T;
}

/** Why the gridworld construction does not apply to `a`, or undefined. */
export function gridworldRefusal(a: Automaton): string | undefined {
  return gridworldSize(a) === undefined ? `gridworld: ${a.name} is not gridworld:N (two letters, left/right clamped at the walls 0 and N−1, start 0)` : undefined;
}

export function compileGridworld(a: Automaton, T: number, maxLength?: number): { net: Network; plan: Plan; N: number; bound: number } {
  const why = gridworldRefusal(a);
  if (why) throw new ShortcutError(why);
  const N = gridworldSize(a)!;
  const ctx = maxLength ?? T;
  const bound = gridworldMaxLength(N);
  if (ctx > bound) throw new ShortcutError(`gridworld: ${a.name} at length ${ctx} is beyond the proven bound ${bound} (float32: the step counts and the last-visit scores; gridworldMaxLength)`);
  const M = N - 1;
  const P = 2 * M + 1;
  const labels = labelsOf(a);
  const C = numClasses(labels);
  const net = new Network(2, C, 3, ctx);
  const one = net.slot('one', 1).offset;
  const pos = net.slot('t', 1).offset;
  const sq = net.slot('t²', 1).offset;
  const later = net.slot('[t>0]', 1).offset;
  const first = net.slot('[t=0]', 1).offset;
  const inv = net.slot('1/(t+1)', 1).offset;
  const w = net.slot('x', 1);
  const y = net.slot('y', 1);
  const Ir = net.slot('I mod P (raw)', P);
  const Sr = net.slot('S mod P (raw)', P);
  const I = net.slot('I mod P', P);
  const Ic = net.slot('I (cos, sin)', 2).offset;
  const Sc = net.slot('S (cos, sin)', 2).offset;
  const LV = net.slot('last visits', 2 * M);
  const E = net.slot('e', M);
  const mod = (v: number) => ((v % P) + P) % P;
  for (let t = 0; t < ctx; t++) {
    net.setPosition(t, one, 1);
    net.setPosition(t, pos, t);
    net.setPosition(t, sq, t * t);
    net.setPosition(t, t === 0 ? first : later, 1);
    net.setPosition(t, inv, 1 / (t + 1));
    net.setPosition(t, Ir.offset, 1); // e_0: the one-hot of I = 0 before any step
  }
  net.setEmbed(0, w.offset, -1);
  net.setEmbed(1, w.offset, 1);
  // L0: y = I/(t+1); steps z = A·(y − (v − ½)/(t+1)), ≥ 1 when I ≥ v and ≤ −1 when I ≤ v − 1.
  net.attention(0, averageHead(w, y));
  const A = 2 * ctx;
  const e = (v: number) => Ir.offset + mod(v);
  for (let v = 1; v <= ctx; v++) {
    const terms: Terms = [[y.offset, A], [inv, -A * (v - 0.5)]];
    const out: [number, number][] = [[e(v), 1], [e(v - 1), -1]];
    net.relu(0, terms, 0.5, out);
    net.relu(0, terms, -0.5, out.map(([i, x]) => [i, -x]));
  }
  for (let v = 0; v >= 1 - ctx; v--) {
    const terms: Terms = [[y.offset, -A], [inv, A * (v - 0.5)]];
    const out: [number, number][] = [[e(v - 1), 1], [e(v), -1]];
    net.relu(0, terms, 0.5, out);
    net.relu(0, terms, -0.5, out.map(([i, x]) => [i, -x]));
  }
  // L1: S_t ≡ I_{t−1}; round both codes; (cos, sin) of the residues; position 0's key stays 0.
  // In heads of ≤ 4 value dimensions (all heads share one size: one head of P would widen every layer).
  for (let i = 0; i < P; i += 4) {
    const size = Math.min(4, P - i);
    net.attention(1, shiftHead(1, one, pos, sq, { name: 'I (raw) part', offset: Ir.offset + i, size }, { name: 'S (raw) part', offset: Sr.offset + i, size }));
  }
  const angle = (r: number) => (2 * Math.PI * r) / P;
  for (let r = 0; r < P; r++) {
    net.and(1, [[Ir.offset + r, 1]], 1, [[I.offset + r, 1], [Ic, Math.cos(angle(r))], [Ic + 1, Math.sin(angle(r))]]);
    net.and(1, [[Sr.offset + r, 1], [later, 1]], 2, [[Sc, Math.cos(angle(r))], [Sc + 1, Math.sin(angle(r))]]);
  }
  // L2: last visit of I_t + d for d = −M..−1, 1..M.
  const Cs = visitScale(P, ctx);
  const C0 = Cs * Math.cos(angle(1)) + GAP * ctx;
  const offsets = [...Array.from({ length: M }, (_, i) => -(i + 1)), ...Array.from({ length: M }, (_, i) => i + 1)];
  const slotOf = new Map<number, number>(offsets.map((d, i) => [d, LV.offset + i]));
  for (const d of offsets) {
    const c = Math.cos(angle(d));
    const s = Math.sin(angle(d));
    const h: Head = {
      dims: 4,
      // (cos, sin)(θ_I + 2πd/P), times C; then GAP·u; then C₀ at position 0.
      q: new Map<number, Terms>([
        [0, [[Ic, Cs * c], [Ic + 1, -Cs * s]]],
        [1, [[Ic + 1, Cs * c], [Ic, Cs * s]]],
        [2, [[one, GAP]]],
        [3, [[one, C0]]],
      ]),
      k: new Map<number, Terms>([
        [0, [[Sc, 1]]],
        [1, [[Sc + 1, 1]]],
        [2, [[pos, 1]]],
        [3, [[first, 1]]],
      ]),
      v: new Map<number, Terms>([[0, [[pos, 1], [one, 1]]]]),
      o: new Map<number, Terms>([[0, [[slotOf.get(d)!, 1]]]]),
    };
    net.attention(2, h);
  }
  for (let k = 0; k < M; k++) {
    // x = LV(I − k − 1) − LV(I + M − k) + ½·[I − k − 1 ≡ 0]: e_k = 1 when x ≥ ½ (x ≥ 3/8), 0 when x ≤ 0 (x ≤ 1/8).
    const terms: Terms = [[slotOf.get(-(k + 1))!, 1], [slotOf.get(M - k)!, -1], [I.offset + mod(k + 1), 0.5]];
    net.relu(2, terms, -1 / 8, [[E.offset + k, 4]]);
    net.relu(2, terms, -3 / 8, [[E.offset + k, -4]]);
  }
  // Head: one-hot(q = j) = e_{j−1} − e_j with e_{−1} = 1, e_M = 0; a label is a sum of those.
  for (let j = 0; j <= M; j++) {
    const c = labels[j];
    net.setHead(c, j === 0 ? one : E.offset + j - 1, HEAD_SCALE);
    if (j < M) net.setHead(c, E.offset + j, -HEAD_SCALE);
  }
  const p = net.plan();
  const plan: Plan = { layers: 3, width: p.width, heads: p.heads, mlpWidth: p.mlpWidth, parameters: p.parameters, maxLength: ctx };
  if (plan.parameters > MAX_PARAMETERS) throw new ShortcutError(`gridworld: ${a.name} needs ${plan.parameters} parameters, more than the limit ${MAX_PARAMETERS}`);
  return { net, plan, N, bound };
}

/**
 * The construction's algebra in plain arithmetic (reference for tests): q_t of gridworld:N from
 * the last visits of the walk's residues mod 2N − 1, read exactly as the network reads them
 * (value u + 1 at a position u ≥ 1, 1 at the sink), so every e_k is checked, not only their sum.
 */
export function lastVisitStates(N: number, word: readonly number[]): number[] {
  const M = N - 1;
  const P = 2 * M + 1;
  const mod = (v: number) => ((v % P) + P) % P;
  const S = [0];
  for (const x of word) S.push(S[S.length - 1] + (x === 1 ? 1 : -1));
  // last[r] = the latest position u ≥ 1 with S_u ≡ r, as positions are read up to t.
  const last = new Array<number>(P).fill(-1);
  const out: number[] = [];
  for (let t = 0; t < word.length; t++) {
    if (t >= 1) last[mod(S[t])] = t;
    const I = S[t + 1];
    const read = (level: number) => (last[mod(level)] >= 1 ? last[mod(level)] + 1 : 1);
    let q = 0;
    for (let k = 0; k < M; k++) q += read(I - k - 1) - read(I + M - k) + (mod(I - k - 1) === 0 ? 0.5 : 0) >= 0.25 ? 1 : 0;
    out.push(q);
  }
  return out;
}
