import { describe, expect, it } from 'vitest';
import { hasWasmSimd } from '../src/kernels/loader.js';
import { simulateKernel } from '../src/simulate/kernel.js';

describe('kernel loader', () => {
  it('detects SIMD on this runtime', () => {
    expect(hasWasmSimd()).toBe(true);
  });
  it('loads a kernel, allocates in its arena and releases the memory', () => {
    const { exports: k, arena } = simulateKernel;
    const mark = arena.mark();
    const d = arena.alloc(4);
    arena.u8(d, 4).set([1, 0, 0, 1]); // parity: letter 0 flips, letter 1 keeps
    const l = arena.alloc(3);
    arena.u8(l, 3).set([0, 1, 0]);
    const o = arena.alloc(3);
    expect(k.sequentialU8(d, 2, l, 3, 0, o)).toBe(0);
    expect(Array.from(arena.u8(o, 3))).toEqual([1, 1, 0]);
    arena.reset(mark);
    expect(arena.mark()).toBe(mark);
  });
});
