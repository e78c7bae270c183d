/**
 * Model parameters: an ordered, named set of tf.Variables initialised from a seeded Rng (never
 * from tf's own random ops, so a seed gives the same weights in Node, browsers and on any backend).
 * The order of `names` is the order of every serialised weight vector (checkpoints, optimizer).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';

export class Params {
  private readonly vars = new Map<string, tf.Variable>();

  /** N(0, std²) entries (nanoGPT's initialisation for weights). */
  normal(name: string, shape: number[], std: number, rng: Rng): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = rng.nextNormal() * std;
    return this.add(name, tf.tensor(data, shape, 'float32'));
  }

  /** U(-a, a) entries (PyTorch's default for recurrent layers, a = 1/sqrt(hidden)). */
  uniform(name: string, shape: number[], a: number, rng: Rng): tf.Variable {
    const n = shape.reduce((x, y) => x * y, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = (2 * rng.nextFloat() - 1) * a;
    return this.add(name, tf.tensor(data, shape, 'float32'));
  }

  constant(name: string, shape: number[], value: number): tf.Variable {
    const n = shape.reduce((x, y) => x * y, 1);
    return this.add(name, tf.tensor(new Float32Array(n).fill(value), shape, 'float32'));
  }

  private add(name: string, t: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new Error(`parameter "${name}" defined twice`);
    const v = tf.variable(t, true, `${name}_${uid++}`);
    t.dispose();
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`no parameter "${name}"`);
    return v;
  }

  get names(): string[] {
    return [...this.vars.keys()];
  }

  get list(): tf.Variable[] {
    return [...this.vars.values()];
  }

  /** Total number of scalars. */
  get count(): number {
    let n = 0;
    for (const v of this.vars.values()) n += v.size;
    return n;
  }

  /** The weights as one Float32Array in `names` order. */
  flatten(): Float32Array {
    const out = new Float32Array(this.count);
    let o = 0;
    for (const v of this.vars.values()) {
      out.set(v.dataSync() as Float32Array, o);
      o += v.size;
    }
    return out;
  }

  /** Overwrites every weight from a Float32Array in `names` order. */
  load(flat: Float32Array): void {
    if (flat.length !== this.count) throw new Error(`weights have ${flat.length} values, the model has ${this.count}`);
    let o = 0;
    for (const v of this.vars.values()) {
      const t = tf.tensor(flat.subarray(o, o + v.size), v.shape, 'float32');
      v.assign(t);
      t.dispose();
      o += v.size;
    }
  }

  /** name → shape, for checkpoint headers and mismatch errors. */
  shapes(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [k, v] of this.vars) out[k] = v.shape.slice();
    return out;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tf.Variable names must be unique per engine; several models may live side by side (tests).
let uid = 0;
