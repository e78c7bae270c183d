// Every simulation method equals the plain TypeScript reference q_t = δ(q_{t-1}, σ_t) on random
// semiautomata (fast-check), including the uint16 state path (|Q| > 256), |Σ| > 256 (uint16
// letters), batches and worker threads; the depth each method reports; no arena leak.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Automaton } from '../../src/automata/types.js';
import { sampleLetters, zoo } from '../../src/automata/index.js';
import { transformationMonoid } from '../../src/simulate/monoid.js';
import {
  chooseChunks, KernelBuffer, packDelta, simulate, simulateAsync, simulateBatch, simulateBatchReference, simulateKernel,
  simulateReference, stopWorkers, type Method,
} from '../../src/simulate/index.js';

const FAST: Method[] = ['sequential', 'scan', 'hillis-steele', 'brent-kung'];

/** A random automaton with its letters, start and a few chunk counts. */
const arbCase = (maxN: number, maxK: number, maxT: number) =>
  fc.record({ n: fc.integer({ min: 1, max: maxN }), k: fc.integer({ min: 1, max: maxK }), T: fc.integer({ min: 0, max: maxT }), seed: fc.nat() })
    .chain(({ n, k, T }) => fc.record({
      delta: fc.array(fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: n, maxLength: n }), { minLength: k, maxLength: k }),
      letters: fc.array(fc.integer({ min: 0, max: k - 1 }), { minLength: T, maxLength: T }),
      start: fc.integer({ min: 0, max: n - 1 }),
    }));

function automaton(delta: number[][], start = 0): Automaton {
  return { name: 'random', delta, start };
}
function lettersOf(xs: number[], k: number): Uint8Array | Uint16Array {
  return k > 256 ? Uint16Array.from(xs) : Uint8Array.from(xs);
}

describe('every method equals the reference', () => {
  it('on random automata (|Q| 1..300, |Σ| 1..20, T 0..5000, random start)', () => {
    fc.assert(fc.property(arbCase(300, 20, 5000), ({ delta, letters, start }) => {
      const a = automaton(delta);
      const L = lettersOf(letters, delta.length);
      const ref = simulateReference(a, L, { start });
      for (const method of FAST) {
        // The tree scans keep T maps of |Q| states: keep their cases small enough to be quick.
        if (method !== 'sequential' && method !== 'scan' && L.length * delta[0]!.length > 300_000) continue;
        const r = simulate(a, L, { method, start });
        expect(r.method).toBe(method);
        expect(r.final).toBe(ref.final);
        expect(Array.from(r.states)).toEqual(Array.from(ref.states));
      }
    }), { numRuns: 60 });
  });

  it('on small |Q| <= 16 (the swizzle and word-table paths) with many chunk counts', () => {
    fc.assert(fc.property(arbCase(16, 16, 3000), fc.integer({ min: 1, max: 200 }), ({ delta, letters, start }, chunks) => {
      const a = automaton(delta);
      const L = lettersOf(letters, delta.length);
      const ref = simulateReference(a, L, { start });
      for (const method of FAST) {
        const r = simulate(a, L, { method, start, ...(method === 'scan' ? { chunks } : {}) });
        expect(r.final).toBe(ref.final);
        expect(Array.from(r.states)).toEqual(Array.from(ref.states));
      }
    }), { numRuns: 80 });
  });

  it('on the uint16 state path (|Q| > 256) and uint16 letters (|Σ| > 256)', () => {
    for (const [n, k, T] of [[300, 3, 4000], [1000, 2, 1500], [65536, 2, 100], [5, 300, 3000], [20, 70000 % 65536 + 1, 2000], [400, 500, 700]] as const) {
      const seed = n * 31 + k;
      const rnd = mulberry(seed);
      const delta = Array.from({ length: k }, () => Array.from({ length: n }, () => Math.floor(rnd() * n)));
      const a = automaton(delta, Math.floor(rnd() * n));
      const L = k > 256 ? new Uint16Array(T) : new Uint8Array(T);
      for (let t = 0; t < T; t++) L[t] = Math.floor(rnd() * k);
      const ref = simulateReference(a, L);
      expect(ref.states).toBeInstanceOf(n > 256 ? Uint16Array : Uint8Array);
      for (const method of FAST) {
        if (method !== 'sequential' && method !== 'scan' && T * n > 2_000_000) continue;
        const r = simulate(a, L, { method });
        expect(r.states).toBeInstanceOf(n > 256 ? Uint16Array : Uint8Array);
        expect(r.final).toBe(ref.final);
        expect(Array.from(r.states)).toEqual(Array.from(ref.states));
      }
    }
  });

  it('accepts Uint16Array letters for a small alphabet', () => {
    const a = automaton([[1, 2, 0], [0, 0, 1]]);
    const L16 = Uint16Array.from([0, 1, 0, 0, 1, 1, 0]);
    const ref = simulateReference(a, Uint8Array.from(L16));
    for (const method of FAST) expect(Array.from(simulate(a, L16, { method }).states)).toEqual(Array.from(ref.states));
  });
});

describe('scan through the transformation monoid (|Q| > 16, small monoid)', () => {
  afterAll(() => stopWorkers());
  it('numbers the monoid and agrees with the reference, on one and two threads', async () => {
    const sizes: Record<string, number> = { 'cyclic:300': 300, 'symmetric:5': 120, 'dihedral:12': 24, 'flipflop:20': 21 };
    for (const name of ['cyclic:300', 'symmetric:5', 'dyck:2,4', 'gridworld:40', 'dihedral:12', 'flipflop:20', 'cyclic_product:3,5,7']) {
      const a = zoo(name);
      const P = packDelta(a);
      const mon = transformationMonoid(P);
      expect(mon).not.toBeNull();
      if (name in sizes) expect(mon!.size).toBe(sizes[name]);
      const L = sampleLetters(a, 30_011, { seed: 5 });
      const ref = simulateReference(a, L);
      const r1 = simulate(a, L, { method: 'scan' });
      expect(Array.from(r1.states)).toEqual(Array.from(ref.states));
      expect(r1.final).toBe(ref.final);
      const r2 = await simulateAsync(a, L, { method: 'scan', threads: 2 });
      expect(Array.from(r2.states)).toEqual(Array.from(ref.states));
      expect(r2.final).toBe(ref.final);
    }
  });
  it('gives up on a large monoid (random maps on 40 states) and composes maps instead', () => {
    const rnd = mulberry(40);
    const a = automaton(Array.from({ length: 3 }, () => Array.from({ length: 40 }, () => Math.floor(rnd() * 40))));
    expect(transformationMonoid(packDelta(a))).toBeNull();
    const L = Uint8Array.from({ length: 5000 }, () => Math.floor(rnd() * 3));
    expect(Array.from(simulate(a, L, { method: 'scan' }).states)).toEqual(Array.from(simulateReference(a, L).states));
  });
});

describe('depth', () => {
  const a = automaton([[1, 0], [0, 1]]);
  it('is T for loops, ⌈log2 T⌉ for Hillis–Steele, about 2⌈log2 T⌉ for Brent–Kung, 2·len + chunks for scan', () => {
    for (const T of [0, 1, 2, 3, 5, 8, 1000, 4096, 5000]) {
      const L = new Uint8Array(T);
      const lg = T <= 1 ? 0 : Math.ceil(Math.log2(T));
      expect(simulate(a, L, { method: 'sequential' }).depth).toBe(T);
      expect(simulateReference(a, L).depth).toBe(T);
      expect(simulate(a, L, { method: 'hillis-steele' }).depth).toBe(lg);
      const bk = simulate(a, L, { method: 'brent-kung' }).depth;
      // Up-sweep ⌊log2 T⌋ rounds, down-sweep one fewer: 2⌊log2 T⌋ − 1 ≤ depth ≤ 2⌈log2 T⌉ − 1.
      const fl = T <= 1 ? 0 : Math.floor(Math.log2(T));
      expect(bk).toBeGreaterThanOrEqual(T <= 1 ? 0 : 2 * fl - 1);
      expect(bk).toBeLessThanOrEqual(T <= 1 ? 0 : 2 * lg - 1);
      const s = simulate(a, L, { method: 'scan' });
      const c = chooseChunks(T, 1);
      expect(s.depth).toBe(T === 0 ? 0 : 2 * c.len + c.count);
    }
    // The scan's depth grows like √T, far below T.
    expect(simulate(a, new Uint8Array(1_000_000), { method: 'scan' }).depth).toBeLessThan(6000);
  });
  it('T = 0 gives an empty result and final = start', () => {
    for (const method of [...FAST, 'reference' as const]) {
      const r = simulate(automaton([[1, 2, 0]], 2), new Uint8Array(0), { method });
      expect(r.states.length).toBe(0);
      expect(r.final).toBe(2);
    }
  });
});

describe('batch', () => {
  it('equals the reference for every method (step-major layout, B not a multiple of 16)', () => {
    fc.assert(fc.property(arbCase(40, 20, 300), fc.integer({ min: 1, max: 70 }), ({ delta, start }, B) => {
      const a = automaton(delta);
      const k = delta.length;
      const rnd = mulberry(B * 7 + k);
      const T = 1 + Math.floor(rnd() * 200);
      const L = new Uint8Array(T * B);
      for (let i = 0; i < L.length; i++) L[i] = Math.floor(rnd() * k);
      const starts = Array.from({ length: B }, (_, b) => (start + b) % delta[0]!.length);
      const ref = simulateBatchReference(a, L, B, { start: starts });
      for (const method of ['sequential', 'scan', 'hillis-steele'] as const) {
        const r = simulateBatch(a, L, B, { method, start: starts });
        expect(r.finals).toEqual(ref.finals);
        expect(Array.from(r.states)).toEqual(Array.from(ref.states));
      }
      // Each column is one sequence: the single-sequence reference agrees.
      const b = B - 1;
      const col = Uint8Array.from({ length: T }, (_, t) => L[t * B + b]!);
      expect(simulateReference(a, col, { start: starts[b] }).final).toBe(ref.finals[b]);
    }), { numRuns: 40 });
  });
  it('spans several tiles (states carried across), and names a bad letter in a later tile', () => {
    const a = automaton([[1, 2, 0, 3], [0, 0, 1, 2], [3, 3, 3, 0]]);
    const B = 1000;
    const T = 700; // about 262 rows per tile: three tiles
    const rnd = mulberry(11);
    const L = Uint8Array.from({ length: T * B }, () => Math.floor(rnd() * 3));
    const ref = simulateBatchReference(a, L, B);
    const r = simulateBatch(a, L, B);
    expect(r.finals).toEqual(ref.finals);
    expect(Array.from(r.states)).toEqual(Array.from(ref.states));
    L[600 * B + 17] = 3;
    expect(() => simulateBatch(a, L, B)).toThrow(`letters[${600 * B + 17}] = 3 is outside the alphabet`);
    // B a multiple of 16: the SIMD kernel checks the letters as it goes.
    const B2 = 1024;
    const L2 = Uint8Array.from({ length: T * B2 }, () => Math.floor(rnd() * 3));
    const ref2 = simulateBatchReference(a, L2, B2);
    expect(Array.from(simulateBatch(a, L2, B2).states)).toEqual(Array.from(ref2.states));
    L2[650 * B2 + 1000] = 200;
    L2[690 * B2 + 3] = 7;
    expect(() => simulateBatch(a, L2, B2)).toThrow(`letters[${650 * B2 + 1000}] = 200 is outside the alphabet`);
  });
  it('reads and writes KernelBuffers in place (no copies), then frees them', () => {
    const { arena } = simulateKernel;
    const before = arena.used;
    for (const [delta, B, T] of [[[[1, 2, 3, 4, 5, 6, 7, 0], [4, 5, 6, 7, 0, 1, 2, 3]], 80, 300], [[[1, 0, 2], [2, 2, 0], [0, 1, 1]], 17, 100]] as const) {
      const a = automaton(delta.map((r) => [...r]));
      const k = delta.length;
      const rnd = mulberry(B);
      const host = Uint8Array.from({ length: T * B }, () => Math.floor(rnd() * k));
      const L = new KernelBuffer(T * B);
      const O = new KernelBuffer(T * B);
      L.array.set(host);
      const ref = simulateBatchReference(a, host, B);
      const r = simulateBatch(a, L.array, B, { out: O.array });
      expect(r.states.buffer).toBe(simulateKernel.arena.memory.buffer);
      expect(Array.from(O.array)).toEqual(Array.from(ref.states));
      expect(r.finals).toEqual(ref.finals);
      // Resident letters, ordinary output array.
      expect(Array.from(simulateBatch(a, L.array, B).states)).toEqual(Array.from(ref.states));
      host[5] = 9;
      L.array.set(host);
      expect(() => simulateBatch(a, L.array, B)).toThrow('letters[5] = 9 is outside the alphabet');
      O.free();
      L.free();
    }
    expect(arena.used).toBe(before);
  });
  it('covers the 64-lane |Σ| = 2 path', () => {
    const a = automaton([[1, 2, 3, 4, 5, 6, 7, 0], [4, 5, 6, 7, 0, 1, 2, 3]]);
    const B = 64 * 3 + 16 + 5;
    const T = 500;
    const rnd = mulberry(3);
    const L = Uint8Array.from({ length: T * B }, () => (rnd() < 0.5 ? 0 : 1));
    const ref = simulateBatchReference(a, L, B);
    const r = simulateBatch(a, L, B);
    expect(Array.from(r.states)).toEqual(Array.from(ref.states));
  });
});

describe('threads', () => {
  afterAll(() => stopWorkers());
  it('scan on 2 and 3 worker threads equals the reference', async () => {
    const cases: [number, number, number][] = [[8, 2, 100_000], [16, 7, 50_001], [120, 3, 20_000], [300, 4, 10_000], [5, 300, 30_000], [3, 2, 5]];
    for (const [n, k, T] of cases) {
      const rnd = mulberry(n + k + T);
      const delta = Array.from({ length: k }, () => Array.from({ length: n }, () => Math.floor(rnd() * n)));
      const a = automaton(delta, n - 1);
      const L = k > 256 ? new Uint16Array(T) : new Uint8Array(T);
      for (let t = 0; t < T; t++) L[t] = Math.floor(rnd() * k);
      const ref = simulateReference(a, L);
      for (const threads of [2, 3]) {
        const r = await simulateAsync(a, L, { method: 'scan', threads });
        expect(r.final).toBe(ref.final);
        expect(Array.from(r.states)).toEqual(Array.from(ref.states));
      }
    }
  });
  it('reads letters from a SharedArrayBuffer and rejects a bad letter', async () => {
    const a = automaton([[1, 0], [0, 1]]);
    const L = new Uint8Array(new SharedArrayBuffer(10_000));
    L[7777] = 1;
    const r = await simulateAsync(a, L, { method: 'scan', threads: 2 });
    expect(r.final).toBe(1);
    L[9000] = 5;
    await expect(simulateAsync(a, L, { method: 'scan', threads: 2 })).rejects.toThrow('letters[9000] = 5 is outside the alphabet');
  });
});

describe('memory', () => {
  it('repeated calls return the arena to where it was', () => {
    const { arena } = simulateKernel;
    const before = arena.used;
    const a = automaton([[1, 2, 0], [0, 0, 1]]);
    const L = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 2);
    for (let i = 0; i < 20; i++) {
      for (const method of FAST) simulate(a, L, { method });
      simulateBatch(a, L, 100);
      expect(() => simulate(a, Uint8Array.from([0, 1, 9]), { method: 'scan' })).toThrow();
    }
    expect(arena.used).toBe(before);
    expect(before).toBe(0);
  });

  it('δ edited in place between calls is simulated as edited, and re-validated', () => {
    const a = automaton([[1, 0, 2], [0, 1, 2]]);
    const L = Uint8Array.from([0, 1, 0, 0, 1]);
    for (const method of ['reference', ...FAST] as Method[]) expect(simulate(a, L, { method }).final).toBe(1);
    a.delta[0]![0] = 2; // letter 0 now sends 0 to 2, and 2 stays
    for (const method of ['reference', ...FAST] as Method[]) expect({ method, final: simulate(a, L, { method }).final }).toEqual({ method, final: 2 });
    expect(simulateBatch(a, L, 5).finals).toEqual([2, 0, 2, 2, 0]);
    a.delta[1]![2] = 7;
    expect(() => simulate(a, L, { method: 'scan' })).toThrow(/delta\[1\]\[2\] = 7 is not a state in \[0, 2\]/);
  });

  it('a tree scan too long for wasm memory is refused up front, with the real limit named', () => {
    // cyclic:300: uint16 maps of 300 states, 600+ bytes per step, so 4·10^6 steps need > 2 GiB.
    const a = zoo('cyclic:300');
    const L = new Uint8Array(4_000_000);
    const { arena } = simulateKernel;
    const before = arena.used;
    for (const method of ['hillis-steele', 'brent-kung'] as const) {
      expect(() => simulate(a, L, { method })).toThrow(
        new RegExp(`^${method} keeps one map of \\|Q\\| = 300 states \\(\\d+ bytes\\) per step: T = 4000000 needs 2\\.\\d GiB of maps, above the 2\\.0 GiB the tree scans may use of wasm32's 4 GiB \\(T ≤ \\d+ here\\)`),
      );
    }
    expect(arena.used).toBe(before);
  });
});

function mulberry(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
}
