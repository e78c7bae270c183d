// Gradients of every model against central finite differences and against the tfjs CPU backend,
// on tiny sizes; the one-hot embedding; init determinism.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModel, initBackend, modelConfig, oneHot, type ModelKind } from '../../src/learning/index.js';

const KINDS: ModelKind[] = ['transformer', 'lstm', 'gru', 'rnn'];

function setup(kind: ModelKind, seed = 3) {
  const cfg = modelConfig(kind, { vocab: 3, classes: 4, layers: 2, width: 8, heads: 2, length: 5 });
  const model = createModel(cfg, seed);
  const letters = tf.tensor2d([[0, 1, 2, 0, 1], [2, 2, 0, 1, 1]], [2, 5], 'int32');
  const labels = tf.tensor1d([0, 1, 3, 2, 1, 3, 3, 0, 1, 2], 'int32');
  const loss = () => tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(tf.reshape(model.forward(letters), [-1, 4])), oneHot(labels, 4)), 1))) as tf.Scalar;
  return { model, loss, dispose: () => tf.dispose([letters, labels]) };
}

function gradients(kind: ModelKind): { loss: number; grads: Float32Array[]; names: string[] } {
  const { model, loss, dispose } = setup(kind);
  const { value, grads } = tf.variableGrads(loss, model.params.list);
  const out = { loss: value.dataSync()[0], grads: model.params.list.map((v) => grads[v.name].dataSync() as Float32Array), names: model.params.names };
  tf.dispose([value, ...Object.values(grads)]);
  model.dispose();
  dispose();
  return out;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('models', () => {
  it('one-hot by comparison is exact on wasm', () => {
    const h = oneHot(tf.tensor1d([2, 0, 1], 'int32'), 3);
    expect(Array.from(h.dataSync())).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    h.dispose();
  });

  for (const kind of KINDS) {
    it(`${kind}: gradients match central finite differences`, () => {
      const { model, loss, dispose } = setup(kind);
      const { grads } = tf.variableGrads(loss, model.params.list);
      let worst = 0;
      for (const v of model.params.list) {
        const g = grads[v.name].dataSync();
        const base = v.dataSync().slice() as Float32Array;
        // Probe the 3 coordinates with the largest gradient (well above float32 noise) and one more.
        const idx = Array.from(g.keys()).sort((a, b) => Math.abs(g[b]) - Math.abs(g[a])).slice(0, 3);
        for (const i of idx) {
          const eps = 1e-2;
          const at = (d: number) => {
            const w = base.slice();
            w[i] += d;
            const t = tf.tensor(w, v.shape);
            v.assign(t);
            t.dispose();
            return tf.tidy(() => loss().dataSync()[0]);
          };
          const fd = (at(eps) - at(-eps)) / (2 * eps);
          const t = tf.tensor(base, v.shape);
          v.assign(t);
          t.dispose();
          worst = Math.max(worst, Math.abs(fd - g[i]) / Math.max(1e-2, Math.abs(fd) + Math.abs(g[i])));
        }
      }
      tf.dispose(Object.values(grads));
      model.dispose();
      dispose();
      expect(worst).toBeLessThan(2e-2);
    });

    it(`${kind}: wasm loss and gradients equal the tfjs CPU backend's`, async () => {
      const w = gradients(kind);
      await initBackend('cpu');
      const c = gradients(kind);
      await initBackend('wasm');
      expect(c.names).toEqual(w.names);
      expect(Math.abs(c.loss - w.loss)).toBeLessThan(1e-5);
      for (let k = 0; k < w.grads.length; k++) {
        for (let i = 0; i < w.grads[k].length; i++) expect(Math.abs(w.grads[k][i] - c.grads[k][i])).toBeLessThan(1e-5);
      }
    });
  }

  it('the same seed gives the same weights; another seed does not', () => {
    const cfg = modelConfig('transformer', { vocab: 2, classes: 2, layers: 1, width: 8, heads: 2, length: 4 });
    const [a, b, c] = [createModel(cfg, 7), createModel(cfg, 7), createModel(cfg, 8)];
    expect(a.params.flatten()).toEqual(b.params.flatten());
    expect(a.params.flatten()).not.toEqual(c.params.flatten());
    [a, b, c].forEach((m) => m.dispose());
  });

  it('config errors name the field and the value', () => {
    expect(() => modelConfig('transformer', { vocab: 2, classes: 2, width: 10, heads: 4 })).toThrow(/width 10 is not divisible by heads 4/);
    expect(() => modelConfig('lstm', { vocab: 2, classes: 2, layers: 0 })).toThrow(/layers must be an integer ≥ 1, got 0/);
  });

  it('learned positions refuse sequences longer than the table; sinusoidal ones extrapolate', () => {
    const mk = (positions: 'learned' | 'sinusoidal') => createModel(modelConfig('transformer', { vocab: 2, classes: 2, layers: 1, width: 8, heads: 2, positions, contextLength: 4 }), 1);
    const x = tf.zeros([1, 6], 'int32') as tf.Tensor2D;
    const learned = mk('learned');
    expect(() => learned.forward(x)).toThrow(/sequence length 6 exceeds the learned position table \(contextLength 4\)/);
    const sin = mk('sinusoidal');
    const y = tf.tidy(() => sin.forward(x));
    expect(y.shape).toEqual([1, 6, 2]);
    tf.dispose([x, y]);
    learned.dispose();
    sin.dispose();
  });
});
