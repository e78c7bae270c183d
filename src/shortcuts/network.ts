/**
 * A hand-wired Transformer: named slots of the residual stream, per-layer MLP units and attention
 * heads, written straight into the weight tensors of the trainer's `Transformer` (norm 'none',
 * activation 'relu', learned positions = a table we fill). The constructions of this folder only
 * say "this unit reads these slots and writes there"; this file owns the layout.
 *
 * Numerics every construction relies on (float32, proved where used):
 *  - slots hold one-hot codes (0/1) or small integers; a unit that reads k one-hot coordinates
 *    fires through a *ramp*, 2·(ReLU(s − (k − ¾)) − ReLU(s − (k − ¼))), which is exactly 0 when
 *    their sum s ≤ k − ¾ and exactly 1 (up to one rounding) when s ≥ k − ¼: input errors below
 *    ¼ in total are removed at every layer instead of accumulating (the MLP's rounding threshold);
 *  - attention either averages uniformly (all scores 0) or selects one position with a score gap
 *    ≥ GAP = 32 between the selected key and every other, so the weight that leaks elsewhere is
 *    below T·e^{-(32 − 2ε)}, far below ¼ for the lengths each construction admits (see its bound).
 */
import { modelConfig, type TransformerConfig } from '../learning/models/config.js';
import { Transformer } from '../learning/models/transformer.js';

/** Score gap between the attended key and every other in a selecting head. */
export const GAP = 32;

export interface Slot {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** A hidden unit pair's inputs: residual index → weight. */
export type Terms = readonly (readonly [number, number])[];

export class Network {
  private readonly slots: Slot[] = [];
  private width = 0;
  /** Per layer: MLP units as (input terms, bias, output index → weight) for the pre-activation. */
  private readonly units: { terms: Terms; bias: number; out: Map<number, number> }[][] = [];
  /** Per layer: heads as q, k, v, o maps. */
  private readonly heads: Head[][] = [];
  private readonly embed: Map<number, number>[] = [];
  private readonly positions: Map<number, number>[] = [];
  private readonly head: Map<number, number>[] = [];

  constructor(
    readonly vocab: number,
    readonly classes: number,
    readonly layers: number,
    readonly contextLength: number,
  ) {
    for (let l = 0; l < layers; l++) {
      this.units.push([]);
      this.heads.push([]);
    }
    for (let a = 0; a < vocab; a++) this.embed.push(new Map());
    for (let t = 0; t < contextLength; t++) this.positions.push(new Map());
    for (let c = 0; c < classes; c++) this.head.push(new Map());
  }

  /** A new slot of `size` residual coordinates. */
  slot(name: string, size: number): Slot {
    const s = { name, offset: this.width, size };
    this.width += size;
    this.slots.push(s);
    return s;
  }

  /** Embedding of letter a: residual[i] += w. */
  setEmbed(a: number, i: number, w: number): void {
    this.embed[a].set(i, (this.embed[a].get(i) ?? 0) + w);
  }

  /** Position table row t: residual[i] += w. */
  setPosition(t: number, i: number, w: number): void {
    this.positions[t].set(i, (this.positions[t].get(i) ?? 0) + w);
  }

  /** logits[c] += w · residual[i]. */
  setHead(c: number, i: number, w: number): void {
    this.head[c].set(i, (this.head[c].get(i) ?? 0) + w);
  }

  /** One ReLU unit in layer l: out += ReLU(Σ terms + bias) · out-weights. */
  relu(l: number, terms: Terms, bias: number, out: Iterable<readonly [number, number]>): void {
    this.units[l].push({ terms, bias, out: new Map(out) });
  }

  /**
   * A ramp over inputs that are ≈ 0/1 and fire together: `out` += step(Σ terms − k) for a sum
   * that is ≈ k when all are on and ≤ k − 1 otherwise; exact 0 / 1 for input errors below ¼.
   */
  and(l: number, terms: Terms, k: number, out: Iterable<readonly [number, number]>): void {
    const o = [...out];
    this.relu(l, terms, -(k - 0.75), o.map(([i, w]) => [i, 2 * w] as const));
    this.relu(l, terms, -(k - 0.25), o.map(([i, w]) => [i, -2 * w] as const));
  }

  /** residual[to] += w · x[from] in layer l's MLP, exactly: ReLU(x) − ReLU(−x) = x. */
  copy(l: number, from: number, to: number, w: number): void {
    this.relu(l, [[from, 1]], 0, [[to, w]]);
    this.relu(l, [[from, -1]], 0, [[to, -w]]);
  }

  /** A head in layer l: score(t, j) = q(x_t)·k(x_j) (unscaled), output o(Σ_j a_tj v(x_j)). */
  attention(l: number, h: Head): void {
    this.heads[l].push(h);
  }

  /** Total parameters the built model will have (no allocation). */
  plan(): { width: number; heads: number; hs: number; mlpWidth: number; parameters: number } {
    const heads = Math.max(1, ...this.heads.map((h) => h.length));
    const need = Math.max(1, this.width, ...this.heads.flat().map((h) => h.dims * heads));
    // The fused wasm attention kernel wants hs % 4 = 0.
    const hs = 4 * Math.ceil(Math.max(need / heads, ...this.heads.flat().map((h) => h.dims)) / 4);
    const d = hs * heads;
    const mlpWidth = Math.max(1, ...this.units.map((u) => u.length));
    const L = this.layers;
    const parameters = this.vocab * d + this.contextLength * d + L * (d * 3 * d + 3 * d + d * d + d + d * mlpWidth + mlpWidth + mlpWidth * d + d) + d * this.classes + this.classes;
    return { width: d, heads, hs, mlpWidth, parameters };
  }

  /** The model config of the built network. */
  config(): TransformerConfig {
    const p = this.plan();
    return modelConfig('transformer', {
      vocab: this.vocab,
      classes: this.classes,
      layers: this.layers,
      width: p.width,
      heads: p.heads,
      mlpRatio: p.mlpWidth / p.width,
      positions: 'learned',
      contextLength: this.contextLength,
      dropout: 0,
      norm: 'none',
      activation: 'relu',
    }) as TransformerConfig;
  }

  /** The weights, by parameter name, for `config()`. */
  weights(): Map<string, Float32Array> {
    const { width: d, heads: nh, hs, mlpWidth: H } = this.plan();
    const out = new Map<string, Float32Array>();
    const wte = new Float32Array(this.vocab * d);
    this.embed.forEach((m, a) => m.forEach((w, i) => (wte[a * d + i] = w)));
    out.set('wte', wte);
    const wpe = new Float32Array(this.contextLength * d);
    this.positions.forEach((m, t) => m.forEach((w, i) => (wpe[t * d + i] = w)));
    out.set('wpe', wpe);
    // The kernel divides scores by √hs; queries are pre-multiplied by it.
    const sq = Math.sqrt(hs);
    for (let l = 0; l < this.layers; l++) {
      const wQkv = new Float32Array(d * 3 * d);
      const wO = new Float32Array(d * d);
      this.heads[l].forEach((h, j) => {
        const base = j * hs;
        for (const [r, e] of h.q) for (const [i, w] of e) wQkv[i * 3 * d + base + r] += w * sq;
        for (const [r, e] of h.k) for (const [i, w] of e) wQkv[i * 3 * d + d + base + r] += w;
        for (const [r, e] of h.v) for (const [i, w] of e) wQkv[i * 3 * d + 2 * d + base + r] += w;
        for (const [r, e] of h.o) for (const [i, w] of e) wO[(base + r) * d + i] += w;
      });
      out.set(`h.${l}.attn.c_attn.weight`, wQkv);
      out.set(`h.${l}.attn.c_attn.bias`, new Float32Array(3 * d));
      out.set(`h.${l}.attn.c_proj.weight`, wO);
      out.set(`h.${l}.attn.c_proj.bias`, new Float32Array(d));
      const wFc = new Float32Array(d * H);
      const bFc = new Float32Array(H);
      const wProj = new Float32Array(H * d);
      this.units[l].forEach((u, j) => {
        for (const [i, w] of u.terms) wFc[i * H + j] += w;
        bFc[j] = u.bias;
        for (const [i, w] of u.out) wProj[j * d + i] += w;
      });
      out.set(`h.${l}.mlp.c_fc.weight`, wFc);
      out.set(`h.${l}.mlp.c_fc.bias`, bFc);
      out.set(`h.${l}.mlp.c_proj.weight`, wProj);
      out.set(`h.${l}.mlp.c_proj.bias`, new Float32Array(d));
    }
    const wHead = new Float32Array(d * this.classes);
    this.head.forEach((m, c) => m.forEach((w, i) => (wHead[i * this.classes + c] = w)));
    out.set('head.weight', wHead);
    out.set('head.bias', new Float32Array(this.classes));
    void nh;
    return out;
  }

  /** Builds the trainer's Transformer and loads the weights. */
  build(): Transformer {
    const m = new Transformer(this.config(), 0);
    const w = this.weights();
    const flat = new Float32Array(m.params.count);
    let o = 0;
    for (const name of m.params.names) {
      const shape = m.params.shapes()[name];
      const n = shape.reduce((a, b) => a * b, 1);
      const v = w.get(name);
      if (!v || v.length !== n) {
        m.dispose();
        throw new Error(`internal: compiled weight ${name} has ${v?.length} values, the model ${n}`);
      }
      flat.set(v, o);
      o += n;
    }
    m.params.load(flat);
    return m;
  }
}

/**
 * One attention head. q, k, v, o: per head-dimension r, the residual terms (index, weight) that
 * make it (o: per head-dimension r, where in the residual its output goes). `dims` = head
 * dimensions used.
 */
export interface Head {
  readonly dims: number;
  readonly q: Map<number, Terms>;
  readonly k: Map<number, Terms>;
  readonly v: Map<number, Terms>;
  readonly o: Map<number, Terms>;
}

/** Offsets of the position-table features every construction shares. */
export interface PositionFeatures {
  one: number;
  /** t (0-based) and t², for selecting heads. */
  pos: number;
  sq: number;
  /** [t = 0] and [t > 0], for the context of the first letter. */
  first: number;
  later: number;
}

/** Allocates and fills 1, t, t², [t = 0], [t > 0] for positions 0..contextLength−1. */
export function positionFeatures(net: Network): PositionFeatures {
  const f = { one: net.slot('one', 1).offset, pos: net.slot('t', 1).offset, sq: net.slot('t²', 1).offset, first: net.slot('[t=0]', 1).offset, later: net.slot('[t>0]', 1).offset };
  for (let t = 0; t < net.contextLength; t++) {
    net.setPosition(t, f.one, 1);
    net.setPosition(t, f.pos, t);
    net.setPosition(t, f.sq, t * t);
    net.setPosition(t, t === 0 ? f.first : f.later, 1);
  }
  return f;
}

/** A head that averages `from` slot uniformly over positions j ≤ t into `to` (all scores 0). */
export function averageHead(from: Slot, to: Slot): Head {
  const v = new Map<number, Terms>();
  const o = new Map<number, Terms>();
  for (let r = 0; r < from.size; r++) {
    v.set(r, [[from.offset + r, 1]]);
    o.set(r, [[to.offset + r, 1]]);
  }
  return { dims: from.size, q: new Map(), k: new Map(), v, o };
}

/**
 * A head that reads `from` at position t − shift into `to` (at t < shift it reads position 0;
 * callers gate that case). Score(t, j) = GAP·(2j(t − shift) − j²) = GAP·((t−shift)² − (j − (t−shift))²)
 * minus a term constant in j: the target j = t − shift wins by ≥ GAP over every other key.
 * Needs position features one = 1, pos = t, sq = t² (exact integers in float32 for t < 2^12).
 */
export function shiftHead(shift: number, one: number, pos: number, sq: number, from: Slot, to: Slot): Head {
  const q = new Map<number, Terms>([
    [0, [[pos, 2 * GAP], [one, -2 * GAP * shift]]],
    [1, [[one, -GAP]]],
  ]);
  const k = new Map<number, Terms>([
    [0, [[pos, 1]]],
    [1, [[sq, 1]]],
  ]);
  const v = new Map<number, Terms>();
  const o = new Map<number, Terms>();
  for (let r = 0; r < from.size; r++) {
    v.set(r, [[from.offset + r, 1]]);
    o.set(r, [[to.offset + r, 1]]);
  }
  return { dims: Math.max(2, from.size), q, k, v, o };
}

/**
 * Float32 bound for shiftHead at lengths ≤ T: scores are integers times GAP of magnitude
 * ≤ 3·GAP·T², computed with ≤ 3 roundings of relative 2^-24 each (query scaling by √hs, the
 * kernel's 1/√hs, the sum), so each is off by at most ε = 9·GAP·T²·2^-24 and the winning gap
 * is ≥ GAP − 2ε. The weight that leaks to the other ≤ T − 1 keys is < (T−1)·e^{−(GAP − 2ε)}.
 */
export function shiftLeakBound(T: number): number {
  const eps = (9 * GAP * T * T) / 2 ** 24;
  return (T - 1) * Math.exp(-(GAP - 2 * eps));
}
