/**
 * A plain float64 replay of the Transformer's forward pass on one sequence that keeps what the
 * tfjs forward hides: every layer's attention probabilities per head, and the first layer's
 * per-head value contributions u^h_j = v^h_j · W_O^h (what key j adds to the residual stream, per
 * unit of attention). The bounded-Dyck metrics (balance.ts) read these. The replay is checked
 * against the tfjs logits in the tests, so the patterns it reports are the model's own.
 */
import { cos, exp, pow, sin } from '../../random/detmath.js';

/** tanh from detmath's exp (Math.tanh differs between engines in the last bit), stable for |u| large. */
function tanh(u: number): number {
  const e = exp(-2 * Math.abs(u));
  const t = (1 - e) / (1 + e);
  return u < 0 ? -t : t;
}
import { checkFunction, checkObject, fail } from '../../validate/index.js';
import type { TransformerConfig } from '../models/config.js';
import type { SequenceModel } from '../models/model.js';

export interface AttentionTrace {
  /** T: sequence length. */
  length: number;
  heads: number;
  width: number;
  /** attention[l][h] is (T·T) row-major: row i (query), column j (key), zero above the diagonal. */
  attention: Float64Array[][];
  /** valueOut[h] is (T·d): u^h_j of the first layer, row j. */
  valueOut: Float64Array[];
  /** (T·classes) final logits, for checking the replay against the tfjs forward. */
  logits: Float64Array;
}

/** The model's weights as plain arrays, read once (dataSync) and reused for many sequences. */
export interface TransformerWeights {
  config: TransformerConfig;
  get(name: string): Float64Array | undefined;
}

export function transformerWeights(model: SequenceModel): TransformerWeights {
  checkObject('transformerWeights', 'model', model);
  const c = checkObject('transformerWeights', 'model.config', model.config) as unknown as SequenceModel['config'];
  checkObject('transformerWeights', 'model.params', model.params);
  if (c.kind !== 'transformer') fail('transformerWeights', `the attention metrics need a Transformer, got a ${c.kind}`);
  const map = new Map<string, Float64Array>();
  for (const name of model.params.names) map.set(name, Float64Array.from(model.params.get(name).dataSync() as Float32Array));
  return { config: c as TransformerConfig, get: (n) => map.get(n) };
}

function need(w: TransformerWeights, name: string): Float64Array {
  const a = w.get(name);
  if (!(a instanceof Float64Array)) throw new Error(`traceTransformer: the model has no parameter ${name}`);
  return a;
}

/** y (n, dout) = x (n, din) · W (din, dout) + b. */
function matmul(x: Float64Array, n: number, din: number, W: Float64Array, dout: number, b?: Float64Array): Float64Array {
  const y = new Float64Array(n * dout);
  for (let i = 0; i < n; i++) {
    const yi = i * dout;
    if (b) for (let o = 0; o < dout; o++) y[yi + o] = b[o];
    for (let k = 0; k < din; k++) {
      const a = x[i * din + k];
      if (a === 0) continue;
      const wk = k * dout;
      for (let o = 0; o < dout; o++) y[yi + o] += a * W[wk + o];
    }
  }
  return y;
}

function layerNorm(x: Float64Array, n: number, d: number, g: Float64Array | undefined, b: Float64Array | undefined): Float64Array {
  if (!g || !b) return x; // norm 'none'
  const y = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let mean = 0;
    for (let k = 0; k < d; k++) mean += x[i * d + k];
    mean /= d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x[i * d + k] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + 1e-5);
    for (let k = 0; k < d; k++) y[i * d + k] = (x[i * d + k] - mean) * inv * g[k] + b[k];
  }
  return y;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** Replays `w` on `letters` (one sequence). */
export function traceTransformer(w: TransformerWeights, letters: ArrayLike<number>): AttentionTrace {
  checkObject('traceTransformer', 'w', w);
  const c = checkObject('traceTransformer', 'w.config', w.config) as unknown as TransformerConfig;
  checkFunction('traceTransformer', 'w.get', w.get);
  if (c.kind !== 'transformer') fail('traceTransformer', `w.config must be a Transformer config, got kind ${JSON.stringify(c.kind)}`);
  for (const k of ['width', 'heads', 'layers', 'vocab', 'classes'] as const) if (!Number.isInteger(c[k]) || c[k] < 1) fail('traceTransformer', `w.config.${k} must be an integer ≥ 1, got ${JSON.stringify(c[k])}`);
  if (c.width % c.heads !== 0) fail('traceTransformer', `w.config.width ${c.width} is not divisible by heads ${c.heads}`);
  if (!letters || typeof letters.length !== 'number') fail('traceTransformer', 'letters must be an array of letters');
  const T = letters.length;
  if (T < 1) fail('traceTransformer', 'letters must be non-empty');
  if (T > 4096) fail('traceTransformer', `letters has length ${T}, above the replay's limit of 4096`);
  const d = c.width, nh = c.heads, hs = d / nh;
  const wte = need(w, 'wte');
  const x = new Float64Array(T * d);
  const wpe = w.get('wpe');
  if (c.positions === 'learned' && T > c.contextLength) fail('traceTransformer', `sequence length ${T} exceeds the learned position table (contextLength ${c.contextLength})`);
  for (let t = 0; t < T; t++) {
    const a = letters[t];
    if (!Number.isInteger(a) || a < 0 || a >= c.vocab) fail('traceTransformer', `letters[${t}] must be an integer in [0, ${c.vocab}), got ${a}`);
    for (let k = 0; k < d; k++) {
      let p: number;
      if (wpe) p = wpe[t * d + k];
      else {
        // The layers.ts table (detmath), so the replay sees the same positions.
        const i = k - (k % 2);
        const f = pow(10000, -i / d);
        p = k % 2 === 0 ? sin(t * f) : cos(t * f);
      }
      x[t * d + k] = wte[a * d + k] + p;
    }
  }
  const attention: Float64Array[][] = [];
  let valueOut: Float64Array[] = [];
  const scale = 1 / Math.sqrt(hs);
  for (let l = 0; l < c.layers; l++) {
    const pre = `h.${l}`;
    const h1 = layerNorm(x, T, d, w.get(`${pre}.ln_1.weight`), w.get(`${pre}.ln_1.bias`));
    const qkv = matmul(h1, T, d, need(w, `${pre}.attn.c_attn.weight`), 3 * d, need(w, `${pre}.attn.c_attn.bias`));
    const wO = need(w, `${pre}.attn.c_proj.weight`);
    const merged = new Float64Array(T * d);
    const layerAtt: Float64Array[] = [];
    for (let h = 0; h < nh; h++) {
      const P = new Float64Array(T * T);
      for (let i = 0; i < T; i++) {
        let mx = -Infinity;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let k = 0; k < hs; k++) s += qkv[i * 3 * d + h * hs + k] * qkv[j * 3 * d + d + h * hs + k];
          P[i * T + j] = s * scale;
          if (P[i * T + j] > mx) mx = P[i * T + j];
        }
        let z = 0;
        for (let j = 0; j <= i; j++) z += P[i * T + j] = exp(P[i * T + j] - mx);
        for (let j = 0; j <= i; j++) {
          const a = (P[i * T + j] /= z);
          for (let k = 0; k < hs; k++) merged[i * d + h * hs + k] += a * qkv[j * 3 * d + 2 * d + h * hs + k];
        }
      }
      layerAtt.push(P);
    }
    attention.push(layerAtt);
    if (l === 0) {
      valueOut = [];
      for (let h = 0; h < nh; h++) {
        // u^h_j = v^h_j (hs) · W_O rows [h·hs, (h+1)·hs).
        const u = new Float64Array(T * d);
        for (let j = 0; j < T; j++)
          for (let k = 0; k < hs; k++) {
            const v = qkv[j * 3 * d + 2 * d + h * hs + k];
            const row = (h * hs + k) * d;
            for (let o = 0; o < d; o++) u[j * d + o] += v * wO[row + o];
          }
        valueOut.push(u);
      }
    }
    const att = matmul(merged, T, d, wO, d, need(w, `${pre}.attn.c_proj.bias`));
    for (let i = 0; i < T * d; i++) x[i] += att[i];
    const fc = w.get(`${pre}.mlp.c_fc.weight`);
    if (fc) {
      const hm = fc.length / d;
      const h2 = layerNorm(x, T, d, w.get(`${pre}.ln_2.weight`), w.get(`${pre}.ln_2.bias`));
      const a = matmul(h2, T, d, fc, hm, need(w, `${pre}.mlp.c_fc.bias`));
      for (let i = 0; i < a.length; i++) {
        const z = a[i];
        a[i] = c.activation === 'relu' ? Math.max(0, z) : 0.5 * z * (1 + tanh(GELU_C * (z + 0.044715 * z * z * z)));
      }
      const m = matmul(a, T, hm, need(w, `${pre}.mlp.c_proj.weight`), d, need(w, `${pre}.mlp.c_proj.bias`));
      for (let i = 0; i < T * d; i++) x[i] += m[i];
    }
  }
  const hf = layerNorm(x, T, d, w.get('ln_f.weight'), w.get('ln_f.bias'));
  const logits = matmul(hf, T, d, need(w, 'head.weight'), c.classes, need(w, 'head.bias'));
  return { length: T, heads: nh, width: d, attention, valueOut, logits };
}

/** traceTransformer for a live model (reads its weights first). */
export function traceModel(model: SequenceModel, letters: ArrayLike<number>): AttentionTrace {
  return traceTransformer(transformerWeights(model), letters);
}
