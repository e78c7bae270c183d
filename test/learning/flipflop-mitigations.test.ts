// Flip-flop mitigations and the glitch inspector: the exposed (unfused) attention path computes
// the fused function, the attention-entropy penalty's gradient is the closed form and matches
// finite differences, attention dropout is seeded (same seed, same bits), each mitigation changes
// training deterministically, and the inspector finds a glitch planted in a crafted model.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { attentionEntropy, causalSelfAttentionPacked, causalSelfAttentionPackedExposed, causalSelfAttentionPackedReference } from '../../src/learning/ops/index.js';
import {
  findGlitch,
  flipflopPlan,
  glitchSvg,
  glitchText,
  initBackend,
  runConfig,
  Trainer,
  type RunOptions,
  type SequenceModel,
} from '../../src/learning/index.js';
import { Rng } from '../../src/random/prng.js';

function randn(n: number, seed: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => scale * (r.nextFloat() * 2 - 1));
}

describe('exposed attention path', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('computes the fused kernel and the reference, and observes rows that sum to 1 causally', () => {
    const B = 2, T = 7, heads = 2, d = 8;
    const qkv = tf.tensor3d(randn(B * T * 3 * d, 3, 2), [B, T, 3 * d]);
    let rows: number[] = [];
    const exposed = causalSelfAttentionPackedExposed(qkv, heads, { observe: (p) => void (rows = Array.from(p.dataSync())) });
    const fused = causalSelfAttentionPacked(qkv, heads);
    const ref = causalSelfAttentionPackedReference(qkv, heads);
    const a = exposed.dataSync(), f = fused.dataSync(), r = ref.dataSync();
    for (let i = 0; i < a.length; i++) {
      expect(Math.abs(a[i] - f[i])).toBeLessThan(1e-5);
      expect(Math.abs(a[i] - r[i])).toBeLessThan(1e-5);
    }
    for (let row = 0; row < B * heads * T; row++) {
      const i = row % T;
      const w = rows.slice(row * T, row * T + T);
      expect(w.slice(0, i + 1).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 5);
      for (let j = i + 1; j < T; j++) expect(w[j]).toBe(0);
    }
    tf.dispose([qkv, exposed, fused, ref]);
  });
});

describe('attention-entropy penalty', () => {
  beforeAll(async () => {
    await initBackend('cpu'); // float32 everywhere; finite differences need no kernel rounding surprises
  });

  it('has the closed-form gradient −p_ij (log p_ij + H_i) / rows with respect to the scores', () => {
    const B = 1, H = 2, T = 5;
    const mask = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
    const s = tf.tensor4d(randn(B * H * T * T, 9, 3), [B, H, T, T]);
    const f = (x: tf.Tensor) => {
      const masked = tf.add(x, tf.tensor2d(mask, [T, T]));
      const lp = tf.logSoftmax(masked);
      return attentionEntropy(tf.exp(lp), lp);
    };
    const g = tf.grad(f)(s).dataSync();
    const p = tf.softmax(tf.add(s, tf.tensor2d(mask, [T, T]))).dataSync();
    const rows = B * H * T;
    let maxDiff = 0;
    for (let r = 0; r < rows; r++) {
      const i = r % T;
      let Hi = 0;
      for (let j = 0; j <= i; j++) Hi -= p[r * T + j] * Math.log(p[r * T + j]);
      for (let j = 0; j < T; j++) {
        const want = j <= i ? (-p[r * T + j] * (Math.log(p[r * T + j]) + Hi)) / rows : 0;
        maxDiff = Math.max(maxDiff, Math.abs(g[r * T + j] - want));
      }
    }
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('matches central finite differences through the exposed attention (gradient in qkv)', () => {
    const B = 1, T = 4, heads = 2, d = 4;
    const x0 = randn(B * T * 3 * d, 5, 1);
    const entropyOf = (qkv: tf.Tensor) => {
      let e: tf.Scalar | undefined;
      const y = causalSelfAttentionPackedExposed(qkv, heads, { observe: (p, lp) => void (e = attentionEntropy(p, lp)) });
      return tf.add(e!, tf.mul(tf.sum(y), 0)) as tf.Scalar;
    };
    const g = tf.grad(entropyOf)(tf.tensor3d(x0, [B, T, 3 * d])).dataSync();
    const h = 1e-2;
    let checked = 0;
    for (let k = 0; k < x0.length; k++) {
      const plus = Float32Array.from(x0), minus = Float32Array.from(x0);
      plus[k] += h;
      minus[k] -= h;
      const fd = (entropyOf(tf.tensor3d(plus, [B, T, 3 * d])).dataSync()[0] - entropyOf(tf.tensor3d(minus, [B, T, 3 * d])).dataSync()[0]) / (2 * h);
      expect(Math.abs(g[k] - fd)).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      if (Math.abs(fd) > 1e-3) checked++;
    }
    expect(checked).toBeGreaterThan(8); // q and k entries move the entropy; v entries do not
  });
});

describe('mitigations in training', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const base: RunOptions = { ffl: { pI: 0.8 }, model: 'transformer', length: 16, batch: 8, layers: 1, width: 16, heads: 2, steps: 12, lr: 3e-3, weightDecay: 0, evalEvery: 1000, evalBatches: 1 };
  async function weightsAfter(o: RunOptions): Promise<{ w: Float32Array; entropy: number }> {
    const t = new Trainer(runConfig(o));
    try {
      await t.train();
      // Mean attention entropy of layer 0 on one fixed batch (evaluation mode: no dropout).
      const letters = tf.tensor2d(new Rng(4).nextInt(5) >= 0 ? Int32Array.from({ length: 8 * 16 }, (_, i) => (i % 2 ? 3 + (i % 3 === 0 ? 1 : 0) : i % 6 === 0 ? 0 : 2)) : new Int32Array(0), [8, 16], 'int32');
      let entropy = 0;
      tf.tidy(() => void t.model.forward(letters, { attention: (_l, p, lp) => void (entropy = attentionEntropy(p, lp).dataSync()[0]) }));
      letters.dispose();
      return { w: t.model.params.flatten(), entropy };
    } finally {
      t.dispose();
    }
  }

  it('each mitigation changes the weights, and the same settings give the same bits', async () => {
    const runs: Record<string, RunOptions> = {
      baseline: base,
      dropout: { ...base, dropout: 0.1, attnDropout: 0.1 },
      attnDropoutOnly: { ...base, attnDropout: 0.2 },
      wd: { ...base, weightDecay: 0.5 },
      entropy: { ...base, attnEntropy: 0.5 },
    };
    const w: Record<string, Float32Array> = {};
    for (const [k, o] of Object.entries(runs)) {
      w[k] = (await weightsAfter(o)).w;
      expect(Buffer.from((await weightsAfter(o)).w.buffer).equals(Buffer.from(w[k].buffer)), `${k} is not deterministic`).toBe(true);
    }
    for (const k of Object.keys(runs)) if (k !== 'baseline') expect(Buffer.from(w[k].buffer).equals(Buffer.from(w.baseline.buffer)), `${k} did not change training`).toBe(false);
    // Another seed draws other dropout masks (and other weights).
    const other = await weightsAfter({ ...runs.attnDropoutOnly, seed: 2 });
    expect(Buffer.from(other.w.buffer).equals(Buffer.from(w.attnDropoutOnly.buffer))).toBe(false);
  }, 60_000);

  it('the entropy penalty sharpens attention', async () => {
    const plain = await weightsAfter({ ...base, steps: 40 });
    const sharp = await weightsAfter({ ...base, steps: 40, attnEntropy: 1 });
    expect(sharp.entropy).toBeLessThan(0.9 * plain.entropy); // measured: 1.92 → 1.56 nats
  }, 60_000);

  it('rejects bad strengths naming them', () => {
    expect(() => runConfig({ ...base, attnDropout: 1 })).toThrow(/attnDropout must be in \[0, 1\), got 1/);
    expect(() => runConfig({ ...base, attnEntropy: -1 })).toThrow(/attnEntropy must be a number ≥ 0, got -1/);
    expect(() => runConfig({ ...base, model: 'lstm', attnEntropy: 0.1 })).toThrow(/Transformers only/);
    expect(() => flipflopPlan({ mitigations: ['dropout', 'lasso' as never] })).toThrow(/mitigation must be one of .*lasso/);
    expect(() => flipflopPlan({ dropout: 1 })).toThrow(/dropout must be a number in \[0, 1\), got 1/);
    expect(flipflopPlan({ models: ['transformer', 'lstm'] }).rows.map((r) => r.id)).toEqual(['transformer', 'lstm', 'transformer+wd', 'transformer+entropy', 'transformer+dropout']);
    expect(flipflopPlan({ models: ['lstm', 'transformer'], mitigations: ['entropy'] }).rows.map((r) => r.id)).toEqual(['lstm', 'transformer+entropy']);
    const byId = Object.fromEntries(flipflopPlan({ entropy: 0.2, dropout: 0.3, weightDecay: 0.5 }).rows.map((r) => [r.id, r.run]));
    expect(byId['transformer+entropy']).toMatchObject({ attnEntropy: 0.2, weightDecay: 0.01 });
    expect(byId['transformer+dropout']).toMatchObject({ dropout: 0.3, attnDropout: 0.3 });
    expect(byId['transformer+wd']).toMatchObject({ weightDecay: 0.5 });
    expect(byId.transformer.attnEntropy ?? byId.transformer.dropout ?? byId.transformer.attnDropout).toBeUndefined();
  });
});

describe('glitch inspector', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  /** The remembered bit at each read of one sequence (plain reference), and the write it copies. */
  function lastWrite(letters: number[], read: number): { bit: number; write: number } {
    let k = read - 2;
    while (letters[k] !== 0) k -= 2;
    return { bit: letters[k + 1] - 3, write: k };
  }

  // A crafted "Transformer": right on every read whose write is at most 8 instructions back, wrong
  // on the others (the injected glitch); its one head attends to the write exactly on correct
  // reads and uniformly on glitched ones.
  const T = 32;
  const crafted = {
    config: { kind: 'transformer', classes: 2 },
    forward(x: tf.Tensor2D, o: { attention?: (l: number, p: tf.Tensor4D, lp: tf.Tensor4D) => void } = {}) {
      const [B] = x.shape;
      const L = x.dataSync();
      const logits = new Float32Array(B * T * 2);
      const att = new Float32Array(B * T * T);
      for (let b = 0; b < B; b++) {
        const letters = Array.from(L.subarray(b * T, b * T + T));
        for (let t = 0; t < T; t++) {
          for (let j = 0; j <= t; j++) att[(b * T + t) * T + j] = 1 / (t + 1);
          if (letters[t] !== 1 || t % 2) continue;
          const { bit, write } = lastWrite(letters, t);
          const glitch = (t - write) / 2 > 8;
          logits[2 * (b * T + t) + (glitch ? 1 - bit : bit)] = 5;
          if (!glitch) for (let j = 0; j <= t; j++) att[(b * T + t) * T + j] = j === write + 1 ? 1 : 0;
        }
      }
      if (o.attention) {
        const p = tf.tensor4d(att, [B, 1, T, T]);
        o.attention(0, p, tf.log(tf.add(p, 1e-30)) as tf.Tensor4D);
      }
      return tf.tensor3d(logits, [B, T, 2]);
    },
    dispose() {},
  } as unknown as SequenceModel;

  it('finds the first planted glitch of the evaluation stream and shows where the head looks', () => {
    const s = findGlitch(crafted, { pI: 0.9, test: 'sparse', length: T, seed: 3, testIndex: 1, maxReads: 100_000, evalBatch: 16 });
    const g = s.glitch!;
    expect(g).toBeDefined();
    expect(g.letters[g.read]).toBe(1); // an r
    const { bit, write } = lastWrite(g.letters, g.read);
    expect(g.write).toBe(write);
    expect(g.expected).toBe(bit);
    expect(g.predicted).toBe(1 - bit);
    expect((g.read - g.write) / 2).toBeGreaterThan(8);
    expect(g.heads).toHaveLength(1);
    expect(g.heads[0].weights).toHaveLength(g.read + 1);
    expect(g.heads[0].onWrite).toBeCloseTo(2 / (g.read + 1), 5); // uniform on the glitched read
    const text = glitchText(s);
    expect(text).toContain(`read at t = ${g.read} (r)`);
    expect(text).toContain(`the answer is ${bit}, the model says ${1 - bit}`);
    expect(text).toMatch(/layer 0 head 0: on write/);
    const svg = glitchSvg(g);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="att"/g)).toHaveLength(g.read + 1);
    // No glitch in a stream where every gap is short enough: said plainly, not invented.
    const none = findGlitch(crafted, { pI: 0, length: 8, seed: 3, testIndex: 0, maxReads: 500, evalBatch: 16 });
    expect(none.glitch).toBeUndefined();
    expect(glitchText(none)).toMatch(/^no glitch in \d+ reads/);
    // Not a model (API fuzz, 2026-12-05: a raw TypeError reading model.config.kind).
    expect(() => findGlitch(new Float64Array(3) as never, { pI: 0, length: 8, seed: 3, testIndex: 0, maxReads: 5, evalBatch: 16 })).toThrow(/findGlitch: model must be a SequenceModel/);
  });
});
