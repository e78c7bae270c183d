// Gradient accumulation (RunConfig.microBatch): the summed micro-batch gradients are the whole
// batch's up to float rounding, for a Transformer (fused attention and the entropy penalty's
// unfused path) and an LSTM; the memory estimate and the automatic choice of the micro-batch.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { estimateMemory, fittingMicroBatch, flipflopPlan, initBackend, runConfig, Trainer, WASM_HEAP_LIMIT, type RunOptions } from '../../src/learning/index.js';
import { cli } from '../helpers/cli.js';

const base: RunOptions = { ffl: { pI: 0.8 }, length: 16, batch: 8, seed: 3, steps: 10, layers: 2, width: 16, heads: 2, lr: 1e-2 };

/** Largest |a − b| over all gradients, and the largest |a|. */
function compare(a: tf.Tensor[], b: tf.Tensor[]): { diff: number; scale: number; identical: boolean } {
  let diff = 0, scale = 0, identical = true;
  expect(b.length).toBe(a.length);
  for (let k = 0; k < a.length; k++) {
    expect(b[k].shape).toEqual(a[k].shape);
    const x = a[k].dataSync(), y = b[k].dataSync();
    for (let i = 0; i < x.length; i++) {
      diff = Math.max(diff, Math.abs(x[i] - y[i]));
      scale = Math.max(scale, Math.abs(x[i]));
      if (x[i] !== y[i]) identical = false;
    }
  }
  return { diff, scale, identical };
}

describe('gradient accumulation', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  for (const [name, extra] of [
    ['transformer (fused attention)', {}],
    ['transformer with the entropy penalty (unfused attention)', { attnEntropy: 0.05 }],
    ['lstm', { model: 'lstm' as const }],
  ] as const) {
    it(`${name}: micro-batches 1, 2, 3 (uneven), 4 sum to the whole batch's gradient`, () => {
      const whole = new Trainer(runConfig({ ...base, ...extra }));
      // Train a few steps first so the gradients are not those of the initial weights only.
      for (let i = 0; i < 3; i++) whole.trainStep();
      const ref = whole.gradientsAt();
      for (const m of [1, 2, 3, 4]) {
        const t = new Trainer(runConfig({ ...base, ...extra, microBatch: m }));
        expect(t.config.microBatch).toBe(m);
        t.model.params.list.forEach((v, i) => v.assign(whole.model.params.list[i]));
        t.step = whole.step;
        const g = t.gradientsAt();
        expect(Math.abs(g.loss - ref.loss)).toBeLessThan(1e-6 * Math.max(1, ref.loss));
        // Gradients by parameter (variable names carry per-model suffixes).
        const { diff, scale } = compare(whole.model.params.list.map((v) => ref.grads[v.name]), t.model.params.list.map((v) => g.grads[v.name]));
        expect(scale).toBeGreaterThan(1e-4);
        expect(diff).toBeLessThanOrEqual(2e-6 * scale);
        tf.dispose(Object.values(g.grads));
        t.dispose();
      }
      tf.dispose(Object.values(ref.grads));
      whole.dispose();
    });
  }

  it('a micro-batch of the whole batch (or more) is the whole batch, bit for bit, and is not stored', () => {
    expect(runConfig({ ...base, microBatch: 8 }).microBatch).toBeUndefined();
    expect(runConfig({ ...base, microBatch: 64 }).microBatch).toBeUndefined();
    expect(() => runConfig({ ...base, microBatch: 0 })).toThrow(/microBatch must be an integer ≥ 1, got 0/);
    const a = new Trainer(runConfig(base));
    const b = new Trainer(runConfig({ ...base, microBatch: 8 }));
    const la = [0, 1, 2].map(() => a.trainStep().loss);
    const lb = [0, 1, 2].map(() => b.trainStep().loss);
    expect(lb).toEqual(la);
    a.dispose();
    b.dispose();
  });

  it('trains: a run with micro-batches follows the whole batch (losses close) and its step count', () => {
    const a = new Trainer(runConfig(base));
    const b = new Trainer(runConfig({ ...base, microBatch: 2 }));
    for (let i = 0; i < 4; i++) {
      const x = a.trainStep().loss;
      const y = b.trainStep().loss;
      expect(Math.abs(x - y)).toBeLessThan(1e-3);
    }
    expect(b.step).toBe(4);
    a.dispose();
    b.dispose();
  });

  it('the memory estimate is a micro-batch\'s activations, and the paper preset fits with one', () => {
    const c = runConfig({ ...base, batch: 64, length: 256, width: 256, heads: 4 });
    const whole = estimateMemory(c).bytes;
    const micro = estimateMemory({ ...c, microBatch: 8 }).bytes;
    expect(micro).toBeLessThan(whole / 4);
    // The paper's Transformer at T = 512: batch 16 does not fit; the plan splits it.
    const paper = flipflopPlan({ preset: 'paper' });
    const byRow = Object.fromEntries(paper.rows.map((r) => [r.id, runConfig(r.run)]));
    expect(estimateMemory({ ...byRow.transformer, microBatch: undefined }).bytes).toBeGreaterThan(0.9 * WASM_HEAP_LIMIT);
    expect(byRow.transformer.microBatch).toBe(4);
    expect(byRow['transformer+entropy'].microBatch).toBe(2);
    expect(byRow.lstm.microBatch).toBeUndefined();
    for (const c2 of Object.values(byRow)) expect(estimateMemory(c2).bytes).toBeLessThanOrEqual(0.9 * WASM_HEAP_LIMIT);
    expect(fittingMicroBatch(byRow.transformer)).toBe(4);
    // The quick preset's rows keep their whole batch (their stored runs stay valid).
    for (const r of flipflopPlan({ preset: 'quick' }).rows) expect(r.run.microBatch).toBeUndefined();
    expect(flipflopPlan({ preset: 'paper', microBatch: 8 }).rows[0].run.microBatch).toBe(8);
    expect(() => flipflopPlan({ preset: 'quick', microBatch: 33 })).toThrow(/microBatch must be 'auto' or an integer in \[1, batch = 32\], got 33/);
  });

  it('the CLI refuses what does not fit even as micro-batches of one sequence, in one line', async () => {
    const r = await cli(['flipflop', '--preset', 'paper', '--models', 'transformer', '--mitigations', 'baseline', '--width', '4096', '--heads', '8', '--out', '/nonexistent/never']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/training row transformer \(batch 16 with micro-batch 1\) needs about .* GiB/);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const bad = await cli(['flipflop', '--micro-batch', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--micro-batch/);
  });
});
