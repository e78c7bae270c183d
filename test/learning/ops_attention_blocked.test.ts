// The blocked attention kernels (assembly/attention/index.ts) against the row-at-a-time kernels they
// replaced (reference.ts), bit for bit: o, stats, dq, dk, dv on random shapes (T not a multiple of
// 4; one, two and three of the backward's 64-row tiles), both layouts, ordinary and large scores.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../src/random/prng.js';
import { causalSelfAttentionPacked } from '../../src/learning/ops/index.js';
import { attentionKernelChoice } from '../../src/learning/ops/attention_kernels.js';
import { AttentionRunner, attentionKernel, type AttentionLayout, type AttentionOutputs } from '../../bench/lib/attention-kernels.js';
import { randn, runOn } from './helpers.js';

function run(runner: AttentionRunner, impl: 'blocked' | 'reference', sentinel: number): AttentionOutputs {
  runner.fillOutputs(sentinel);
  runner.forward(impl);
  runner.backward(impl);
  return runner.outputs();
}

/** Index of the first differing 32-bit word, or −1. */
function firstDiff(a: Float32Array, b: Float32Array): number {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length), y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

function expectSameBits(B: number, H: number, T: number, hs: number, layout: AttentionLayout, scale: number, seed: number, k: Awaited<ReturnType<typeof attentionKernel>>): void {
  const rng = new Rng(seed);
  const n = B * H * T * hs;
  const input = randn(rng, 3 * n, scale);
  // A few exact zeros of both signs: the ±0 cases of the sums' first terms.
  for (let i = 0; i < 3 * n; i += 7) input[i] = i % 2 ? -0 : 0;
  const runner = new AttentionRunner(k, { B, H, T, hs, layout, input, dO: randn(rng, n) });
  try {
    // Different sentinels: a word neither kernel writes would differ between the two runs.
    const want = run(runner, 'reference', 0x7fc0dead);
    const got = run(runner, 'blocked', 0x7fc0beef);
    for (const name of ['out', 'stats', 'dInput'] as const) {
      const i = firstDiff(got[name], want[name]);
      if (i >= 0) throw new Error(`B=${B} H=${H} T=${T} hs=${hs} ${layout} scale=${scale} seed=${seed}: ${name}[${i}] = ${got[name][i]}, reference ${want[name][i]}`);
    }
    for (const x of got.out) expect(Number.isFinite(x)).toBe(true);
    // Neither kernel writes past the scratch size it states (on tfjs' heap that would be tfjs' memory).
    expect(runner.scratchOverrun()).toBe(false);
  } finally {
    runner.dispose();
  }
}

describe('blocked attention kernels = row-at-a-time reference, bit for bit', () => {
  it('forward and backward on random shapes, both layouts', async () => {
    const k = await attentionKernel();
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 60, max: 140 })),
      fc.constantFrom(4, 8, 12, 16, 20, 32, 48), fc.constantFrom<AttentionLayout>('bhtd', 'packed'),
      fc.constantFrom(0.1, 1, 3), fc.integer(),
      async (B, H, T, hs, layout, scale, seed) => expectSameBits(B, H, T, hs, layout, scale, seed, k)),
    { numRuns: 120 });
  });

  it('large-magnitude scores (hundreds: peaked softmax rows, exp underflow to 0)', async () => {
    const k = await attentionKernel();
    await fc.assert(fc.asyncProperty(
      fc.integer({ min: 1, max: 70 }), fc.constantFrom(4, 16, 32), fc.constantFrom<AttentionLayout>('bhtd', 'packed'), fc.integer(),
      async (T, hs, layout, seed) => expectSameBits(2, 2, T, hs, layout, 12, seed, k)),
    { numRuns: 30 });
  });

  it('the model shapes of the training benchmark (T = 64, hs = 16; T = 100, hs = 32)', async () => {
    const k = await attentionKernel();
    expectSameBits(2, 4, 64, 16, 'packed', 1, 1, k);
    expectSameBits(2, 4, 100, 32, 'packed', 1, 2, k);
    expectSameBits(1, 2, 100, 32, 'bhtd', 1, 3, k);
  });

  it('through tfjs (the registered kernels): attentionKernelChoice.reference gives the same bits', async () => {
    const [B, T, H, hs] = [3, 45, 2, 16];
    const inputs = [{ data: randn(new Rng(9), B * T * 3 * H * hs), shape: [B, T, 3 * H * hs] }];
    const f = (x: tf.Tensor) => {
      const w = tf.cos(tf.range(0, B * T * H * hs).reshape([B, T, H * hs]));
      return [causalSelfAttentionPacked(x, H), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(causalSelfAttentionPacked(t, H), w)))(x)];
    };
    const got = await runOn('wasm', inputs, f);
    attentionKernelChoice.reference = true;
    let want;
    try {
      want = await runOn('wasm', inputs, f);
    } finally {
      attentionKernelChoice.reference = false;
    }
    for (let i = 0; i < 2; i++) expect(firstDiff(got[i], want[i])).toBe(-1);
  });
});
