/**
 * simulate(automaton, letters, { method }) on one thread, and simulateBatch. Kernel memory comes
 * from the arena with mark/reset (nothing leaks); letters are checked in wasm memory (SIMD max)
 * before any lookup; states are copied out.
 *
 *   sequential     q_t = δ(q_{t-1}, σ_t) in wasm                    depth T
 *   hillis-steele  prefix scan over maps, round r: t ← t − 2^r      depth ⌈log2 T⌉, work T log T maps
 *   brent-kung     work-efficient scan (up-sweep, down-sweep)       depth ≈ 2⌈log2 T⌉, work 2T maps
 *   scan           chunked: reduce chunks to maps (word tables for  depth 2·len + chunks (≈ 2√(2T))
 *                  |Q| <= 16, the monoid's Cayley table or gathers
 *                  above), scan the chunk maps, replay the chunks;
 *                  letters stream through cache-sized tiles (tiles.ts)
 */
import type { Automaton } from '../automata/types.js';
import { MAX_WASM_BYTES } from '../kernels/arena.js';
import { simulateKernel } from './kernel.js';
import { scanTiles, tileChunksFor, type TilePlan } from './tiles.js';
import { isResident } from './resident.js';
import { transformationMonoid } from './monoid.js';
import { blockTables, bytesOf, checkLettersType, letterError, prepareRun, packDelta, statesArray, widthKey, type PackedDelta } from './prepare.js';
import { batchStarts, checkBatchShape, simulateBatchReference, simulateReference } from './reference.js';
import type { BatchOptions, BatchResult, Letters, Method, SimulateOptions, SimulateResult, States } from './types.js';
import { METHODS } from './types.js';
import { checkInteger, checkKeys, checkObject, checkOptions } from '../validate/index.js';
import { BATCH_OPTION_KEYS, SIMULATE_OPTION_KEYS } from './types.js';

export function checkMethod(method: unknown): Method {
  if (!(METHODS as readonly unknown[]).includes(method)) throw new RangeError(`method = ${String(method)}: expected one of ${METHODS.join(', ')}`);
  return method as Method;
}

/** Chunking of the scan: `count` chunks of `len` steps (the last has `last`). */
export interface Chunking {
  len: number;
  count: number;
  last: number;
}

/** About √(2T) chunks (this balances the 2·len + count rounds), a multiple of 8·threads (the kernel interleaves 8 chunks). */
export function chooseChunks(T: number, threads: number, requested?: number): Chunking {
  if (T === 0) return { len: 0, count: 0, last: 0 };
  let want: number;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`chunks = ${requested}: expected a positive integer`);
    want = requested;
  } else {
    const unit = 8 * threads;
    want = Math.max(unit, Math.round(Math.sqrt(2 * T) / unit) * unit);
  }
  want = Math.min(want, T);
  // A multiple of 4: the blocked kernels read letters four at a time.
  const len = 4 * Math.ceil(T / want / 4);
  const count = Math.ceil(T / len);
  return { len, count, last: T - (count - 1) * len };
}

export function scanDepth(c: Chunking): number {
  const o = checkObject('scanDepth', 'c', c);
  checkInteger('scanDepth', 'c.len', o.len, 0);
  checkInteger('scanDepth', 'c.count', o.count, 0);
  return c.count === 0 ? 0 : 2 * c.len + c.count;
}

/** Simulates one sequence on this thread. For `threads > 1` use simulateAsync. */
export function simulate(automaton: Automaton, letters: Letters, options: SimulateOptions = {}): SimulateResult {
  checkKeys('simulate', checkOptions('simulate', options), SIMULATE_OPTION_KEYS);
  const method = checkMethod(options.method ?? 'scan');
  if (options.threads !== undefined && options.threads !== 1) {
    throw new RangeError(`threads = ${options.threads}: simulate() runs on this thread; use simulateAsync() for worker threads`);
  }
  if (method === 'reference') return simulateReference(automaton, letters, options);
  const { P, start, T, states } = prepareRun(automaton, letters, options);
  if (T === 0) return { states, final: start, depth: 0, method, threads: 1 };

  const { exports: k, arena } = simulateKernel;
  const lsize = letters.BYTES_PER_ELEMENT;
  const w = widthKey(P.ssize, lsize);
  const mark = arena.mark();
  try {
    let depth: number;
    let final: number;
    if (method === 'scan') {
      const c = chooseChunks(T, 1, options.chunks);
      const plan = scanPlan(P, lsize, c, (bytes) => arena.alloc(bytes), (p, x) => arena.u8(p, x.byteLength).set(x));
      const bad = scanTiles(k, plan, 'reduce', bytesOf(letters), null);
      if (bad) throw letterError(bad.at, bad.value, P.k, automaton.name);
      if (plan.cayley) {
        // Phase 2 through the monoid: s_{c+1} = M_c(s_c), M_c an element id.
        const mon = transformationMonoid(P)!;
        const ids = arena.i32(plan.maps, c.count);
        const starts = arena.i32(plan.starts, c.count + 1);
        let q = start;
        starts[0] = q;
        for (let ci = 0; ci < c.count; ci++) starts[ci + 1] = q = mon.maps[ids[ci]! * P.n + q]!;
        final = q;
      } else {
        final = k.chunkStarts(plan.maps, P.stride, P.ssize === 2 ? 1 : 0, c.count, start, plan.starts);
      }
      scanTiles(k, plan, 'replay', bytesOf(letters), bytesOf(states));
      return { states, final, depth: scanDepth(c), method, threads: 1, chunks: { count: c.count, length: c.len } };
    }
    const mapBytes = P.stride * P.ssize;
    // The tree scans keep one map per step; they may use half of wasm32's 4 GiB for the maps (the
    // letters, states and δ share the rest). Checked before anything is copied into the arena.
    if (method !== 'sequential' && T * mapBytes > MAX_WASM_BYTES / 2) {
      const gib = (x: number) => (x / 2 ** 30).toFixed(1);
      throw new RangeError(
        `${method} keeps one map of |Q| = ${P.n} states (${mapBytes} bytes) per step: T = ${T} needs ${gib(T * mapBytes)} GiB of maps, ` +
          `above the ${gib(MAX_WASM_BYTES / 2)} GiB the tree scans may use of wasm32's 4 GiB (T ≤ ${Math.floor(MAX_WASM_BYTES / 2 / mapBytes)} here); use method scan for long sequences`,
      );
    }
    const ld = loadInputs(P, letters, automaton.name);
    const outPtr = arena.alloc(T * P.ssize);
    if (method === 'sequential') {
      final = k[`sequential_${w}`](ld.delta, P.stride, ld.letters, T, start, outPtr);
      depth = T;
    } else {
      const maps = arena.alloc(T * mapBytes);
      const scratch = arena.alloc(mapBytes);
      const fn = method === 'hillis-steele' ? k[`hillisSteele_${w}`] : k[`brentKung_${w}`];
      depth = fn(ld.delta, P.n, P.stride, ld.letters, T, start, maps, scratch, outPtr);
      final = -1;
    }
    bytesOf(states).set(arena.u8(outPtr, T * P.ssize));
    if (final < 0) final = states[T - 1]!;
    return { states, final, depth, method, threads: 1 };
  } finally {
    arena.reset(mark);
  }
}

/**
 * Allocates (through `alloc`) and fills (through `put`) what the tiled scan needs for `c.count`
 * chunks: δ, the word tables when they apply, chunk maps and starts, one letter tile and one
 * states tile.
 */
export function scanPlan(P: PackedDelta, lsize: number, c: Chunking, alloc: (bytes: number) => number, put: (ptr: number, bytes: Uint8Array) => void): TilePlan {
  const bt = lsize === 1 ? blockTables(P) : null;
  const delta = alloc(P.table.byteLength);
  put(delta, bytesOf(P.table));
  let blockMaps = 0;
  let blockStates = 0;
  if (bt) {
    blockMaps = alloc(bt.maps.byteLength);
    put(blockMaps, bt.maps);
    blockStates = alloc(bt.states.byteLength);
    put(blockStates, bytesOf(bt.states));
  }
  const tileChunks = Math.min(c.count, tileChunksFor(c.len, lsize));
  const mon = P.stride !== 16 ? transformationMonoid(P) : null;
  let cayley = 0;
  if (mon) {
    cayley = alloc(mon.cayley.byteLength);
    put(cayley, bytesOf(mon.cayley));
  }
  return {
    width: widthKey(P.ssize, lsize), b: bt ? bt.b : 0, mul: bt ? bt.mul : 0, blockMaps, blockStates, delta,
    cayley, monoidSize: mon ? mon.size : 0, monoidWidth: mon ? widthKey(mon.idSize, lsize) : '',
    n: P.n, stride: P.stride, ssize: P.ssize, lsize, k: P.k, len: c.len, count: c.count, last: c.last,
    maps: alloc(c.count * (mon ? 4 : P.stride * P.ssize)), starts: alloc(4 * (c.count + 1)),
    tileChunks, tile: alloc(tileChunks * c.len * lsize + 4), outTile: alloc(tileChunks * c.len * P.ssize),
  };
}

/** Copies δ and the letters into the arena and checks every letter < |Σ| (SIMD max, then locate). */
export function loadInputs(P: PackedDelta, letters: Letters, name: string): { delta: number; letters: number } {
  const { exports: k, arena } = simulateKernel;
  const T = letters.length;
  const lsize = letters.BYTES_PER_ELEMENT;
  const delta = arena.alloc(P.table.byteLength);
  const lp = arena.alloc(T * lsize + 4); // +4: word loads may read up to 3 bytes past the end
  arena.u8(delta, P.table.byteLength).set(bytesOf(P.table));
  arena.u8(lp, T * lsize).set(bytesOf(letters));
  checkLettersInArena(lp, T, lsize, P.k, name);
  return { delta, letters: lp };
}

/** δ as one 16-byte table[σ·n' + q] when |Σ|·n' <= 16 (n' = |Q| rounded up to a power of two). */
const packedCache = new WeakMap<PackedDelta, { table: Uint8Array; shift: number } | null>();
function packedTable(P: PackedDelta): { table: Uint8Array; shift: number } | null {
  let r = packedCache.get(P);
  if (r !== undefined) return r;
  r = null;
  let shift = 0;
  while (1 << shift < P.n) shift++;
  if (P.ssize === 1 && P.stride === 16 && P.k << shift <= 16) {
    const table = new Uint8Array(16);
    for (let s = 0; s < P.k; s++) for (let q = 0; q < 1 << shift; q++) table[(s << shift) + q] = q < P.n ? P.table[s * 16 + q]! : q;
    r = { table, shift };
  }
  packedCache.set(P, r);
  return r;
}

/**
 * The SIMD batch kernel when it applies (u8 letters and states, |Q| <= 16, |Σ| <= 16, B a multiple
 * of 16: then it checks the letters itself, as it goes); returns false when it does not apply.
 * Letters there index no memory, so an out-of-alphabet letter can only spoil the states, and is
 * reported (first position and value) before anything is returned.
 */
function batchSimdChecked(P: PackedDelta, lsize: number, delta: number, lp: number, T: number, B: number, sp: number, op: number, maxPtr: number, name: string, offset: number): boolean {
  if (!(P.ssize === 1 && lsize === 1 && P.stride === 16 && P.k <= 16 && B % 16 === 0)) return false;
  const { exports: k, arena } = simulateKernel;
  arena.u8(maxPtr, 1)[0] = 0;
  const pk = packedTable(P);
  if (pk) {
    arena.u8(maxPtr + 16, 16).set(pk.table);
    k.batchPacked(maxPtr + 16, pk.shift, lp, T, B, sp, op, maxPtr);
  } else {
    k.batchSimd(delta, P.k, lp, T, B, sp, op, maxPtr);
  }
  if (arena.u8(maxPtr, 1)[0]! >= P.k) checkLettersInArena(lp, T * B, 1, P.k, name, offset);
  return true;
}

/** Bytes of letters per tile in the batched path (fits in L2 with its states). */
const TILE_BYTES = 1 << 18;

function checkLettersInArena(lp: number, T: number, lsize: number, alphabet: number, name: string, offset = 0): void {
  const { exports: k, arena } = simulateKernel;
  if (alphabet >= (lsize === 1 ? 256 : 65536)) return;
  const max = lsize === 1 ? k.maxLetterU8(lp, T) : k.maxLetterU16(lp, T);
  if (max < alphabet) return;
  const t = lsize === 1 ? k.firstAtLeastU8(lp, T, alphabet) : k.firstAtLeastU16(lp, T, alphabet);
  const v = lsize === 1 ? arena.u8(lp, T)[t]! : arena.u16(lp, T)[t]!;
  throw letterError(offset + t, v, alphabet, name);
}

/**
 * B independent sequences of length T, step-major: letters[t*B + b] (a (T, B) array).
 * 'sequential' and 'scan' run the batched kernel: SIMD across sequences (16 per v128 when
 * |Q| <= 16, |Σ| <= 16), otherwise B interleaved scalar chains. Depth T either way: the
 * parallelism comes from the batch, not from time.
 */
export function simulateBatch(automaton: Automaton, letters: Letters, B: number, options: BatchOptions = {}): BatchResult {
  checkKeys('simulateBatch', checkOptions('simulateBatch', options), BATCH_OPTION_KEYS);
  const method = checkMethod(options.method ?? 'sequential');
  if (method === 'reference') return simulateBatchReference(automaton, letters, B, options);
  const P = packDelta(automaton);
  checkLettersType(letters);
  const T = checkBatchShape(letters.length, B);
  const starts = batchStarts(automaton, P.n, B, options.start);
  const states = statesArray(P.n, T * B, options.out);
  if (T === 0) return { states, finals: starts, depth: 0, method, batch: B };
  if (method === 'hillis-steele' || method === 'brent-kung') {
    // Each sequence through the tree scan (the depth story is per sequence).
    const col = new (letters.constructor as { new (n: number): Letters })(T);
    let depth = 0;
    const finals: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) col[t] = letters[t * B + b]!;
      const r = simulate(automaton, col, { method, start: starts[b] });
      for (let t = 0; t < T; t++) states[t * B + b] = r.states[t]!;
      depth = Math.max(depth, r.depth);
      finals.push(r.final);
    }
    return { states, finals, depth, method, batch: B };
  }
  if (isResident(letters)) return batchResident(automaton, P, letters, T, B, starts, states, options.out, method);
  // Tiles of about TILE_BYTES of letters: the copies into and out of wasm memory stay in cache,
  // so memory traffic is one read of the letters and one write of the states.
  const { exports: k, arena } = simulateKernel;
  const lsize = letters.BYTES_PER_ELEMENT;
  const w = widthKey(P.ssize, lsize);
  const rowsPerTile = Math.max(1, Math.floor(TILE_BYTES / (B * Math.max(lsize, P.ssize))));
  const simd = P.ssize === 1 && lsize === 1 && P.stride === 16 && P.k <= 16;
  const mark = arena.mark();
  try {
    const delta = arena.alloc(P.table.byteLength + 32);
    const sp = arena.alloc(B * P.ssize);
    const lt = arena.alloc(rowsPerTile * B * lsize + 16);
    const ot = arena.alloc(rowsPerTile * B * P.ssize);
    const mx = arena.alloc(32);
    arena.u8(delta, P.table.byteLength).set(bytesOf(P.table));
    (P.ssize === 1 ? arena.u8(sp, B) : arena.u16(sp, B)).set(starts);
    const lbytes = bytesOf(letters);
    const sbytes = bytesOf(states);
    for (let t0 = 0; t0 < T; t0 += rowsPerTile) {
      const rows = Math.min(rowsPerTile, T - t0);
      const count = rows * B;
      arena.u8(lt, count * lsize).set(lbytes.subarray(t0 * B * lsize, (t0 * B + count) * lsize));
      if (!batchSimdChecked(P, lsize, delta, lt, rows, B, sp, ot, mx, automaton.name, t0 * B)) {
        checkLettersInArena(lt, count, lsize, P.k, automaton.name, t0 * B);
        let done = 0;
        if (simd) done = k.batchSimd(delta, P.k, lt, rows, B, sp, ot, mx);
        if (done < B) k[`batchScalar_${w}`](delta, P.stride, lt, rows, B, done, sp, ot);
      }
      sbytes.set(arena.u8(ot, count * P.ssize), t0 * B * P.ssize);
      k.copyBytes(sp, ot + (rows - 1) * B * P.ssize, B * P.ssize); // last row: the next tile's starts
    }
    const finals = Array.from(states.subarray((T - 1) * B, T * B));
    return { states, finals, depth: T, method, batch: B };
  } finally {
    arena.reset(mark);
  }
}

/** simulateBatch on letters that already live in kernel memory (KernelBuffer): no copies. */
function batchResident(automaton: Automaton, P: PackedDelta, letters: Letters, T: number, B: number, starts: number[], states: States, out: States | undefined, method: Method): BatchResult {
  const { exports: k, arena } = simulateKernel;
  const lsize = letters.BYTES_PER_ELEMENT;
  const lp = letters.byteOffset; // pointers, not views: allocations below may grow (and detach) memory
  const outResident = out !== undefined && isResident(out);
  const mark = arena.mark();
  try {
    const delta = arena.alloc(P.table.byteLength + 32);
    const sp = arena.alloc(B * P.ssize);
    const op = outResident ? out!.byteOffset : arena.alloc(T * B * P.ssize);
    arena.u8(delta, P.table.byteLength).set(bytesOf(P.table));
    (P.ssize === 1 ? arena.u8(sp, B) : arena.u16(sp, B)).set(starts);
    const mx = arena.alloc(32);
    if (!batchSimdChecked(P, lsize, delta, lp, T, B, sp, op, mx, automaton.name, 0)) {
      checkLettersInArena(lp, T * B, lsize, P.k, automaton.name);
      let done = 0;
      if (P.ssize === 1 && lsize === 1 && P.stride === 16 && P.k <= 16) done = k.batchSimd(delta, P.k, lp, T, B, sp, op, mx);
      if (done < B) k[`batchScalar_${widthKey(P.ssize, lsize)}`](delta, P.stride, lp, T, B, done, sp, op);
    }
    const view = P.ssize === 1 ? arena.u8(op, T * B) : arena.u16(op, T * B);
    let result: States = view;
    if (!outResident) {
      states.set(view);
      result = states;
    }
    return { states: result, finals: Array.from(result.subarray((T - 1) * B, T * B)), depth: T, method, batch: B };
  } finally {
    arena.reset(mark);
  }
}
