// GELU (assembly/nn/index.ts: clamps by pmin/pmax, eight vectors per step) against the GELU it
// replaced (geluForwardReference/geluBackwardReference: f32x4.min/max clamps, one vector per step),
// bit for bit, forward and backward, on every kind of non-NaN f32:
// ±0, subnormals, the clamp bounds (|u| = 40, |2u| = 87.3…88.3), huge values and ±∞.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { loadKernel } from '../../src/kernels/kernel.js';
import type { KernelExports } from '../../src/kernels/arena.js';
import { wasmBase64 } from '../../src/kernels/generated/nn.js';

interface GeluExports extends KernelExports {
  geluForward(x: number, y: number, n: number): void;
  geluBackward(x: number, dy: number, dx: number, n: number): void;
  geluForwardReference(x: number, y: number, n: number): void;
  geluBackwardReference(x: number, dy: number, dx: number, n: number): void;
}

const kernel = loadKernel<GeluExports>('nn', wasmBase64);

/** Runs both versions on x (and dy) and returns the index of the first differing output word, or −1. */
async function firstDiff(x: Float32Array, dy: Float32Array): Promise<{ forward: number; backward: number }> {
  const k = await kernel;
  const n = x.length;
  const mark = k.arena.mark();
  try {
    const px = k.arena.alloc(4 * n), pdy = k.arena.alloc(4 * n);
    const outs = [0, 1, 2, 3].map(() => k.arena.alloc(4 * n));
    const f32 = (p: number) => new Float32Array(k.arena.memory.buffer, p, n);
    f32(px).set(x);
    f32(pdy).set(dy);
    for (const p of outs) new Uint32Array(k.arena.memory.buffer, p, n).fill(0x7fc0dead);
    k.exports.geluForward(px, outs[0], n);
    k.exports.geluForwardReference(px, outs[1], n);
    k.exports.geluBackward(px, pdy, outs[2], n);
    k.exports.geluBackwardReference(px, pdy, outs[3], n);
    const u = (p: number) => new Uint32Array(k.arena.memory.buffer, p, n);
    const diff = (a: Uint32Array, b: Uint32Array) => a.findIndex((w, i) => w !== b[i]);
    return { forward: diff(u(outs[0]), u(outs[1])), backward: diff(u(outs[2]), u(outs[3])) };
  } finally {
    k.arena.reset(mark);
  }
}

const SPECIAL = [0, -0, 1e-45, -1e-45, 1.1754942e-38, -1.1754942e-38, 1e-20, -1e-20, 3.4028235e38, -3.4028235e38, Infinity, -Infinity,
  40, -40, 40.1, -40.1, 43.65, -43.65, 44.15, -44.15, 5.5, -5.5, 9, -9, 1, -1];

describe('GELU kernels = the min/max-clamp GELU they replaced, bit for bit (non-NaN inputs)', () => {
  it('on random f32 arrays (any bit pattern but NaN), lengths not multiples of 4', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.oneof(fc.float({ noNaN: true }), fc.float({ min: -12, max: 12, noNaN: true }), fc.constantFrom(...SPECIAL)), { minLength: 1, maxLength: 300 }),
      fc.integer(),
      async (xs, seed) => {
        const x = Float32Array.from(xs);
        const dy = Float32Array.from(xs, (_, i) => Math.sin(seed + i));
        const d = await firstDiff(x, dy);
        if (d.forward >= 0 || d.backward >= 0) throw new Error(`x[${Math.max(d.forward, d.backward)}] = ${x[Math.max(d.forward, d.backward)]}: forward diff at ${d.forward}, backward at ${d.backward}`);
      }), { numRuns: 200 });
  });

  it('on a dense sweep of [-50, 50] and of every exponent', async () => {
    const xs: number[] = [...SPECIAL];
    for (let i = -500000; i <= 500000; i++) xs.push(i / 10000);
    for (let e = -149; e <= 127; e++) for (const m of [1, 1.3, 1.7, 1.999]) xs.push(m * 2 ** e, -m * 2 ** e);
    const x = Float32Array.from(xs);
    const d = await firstDiff(x, Float32Array.from(xs, (_, i) => (i % 7) - 3));
    expect(d).toEqual({ forward: -1, backward: -1 });
  });
});
