/**
 * The chunked scan over threads (Node worker_threads; Web Workers in browsers). The chunks are
 * split into contiguous ranges: range 0 runs on the calling thread, each other range on a worker
 * holding its own instance of the compiled `simulate` module (the WebAssembly.Module is posted to
 * it; the worker's code is this file's workerMain and tiles.ts's scanTiles, sent as source):
 *   phase 1 (all threads)  reduce the range's chunks to maps, tile by tile
 *   phase 2 (here)         s_{c+1} = M_c(s_c): the start state of every chunk
 *   phase 3 (all threads)  replay the range's chunks from their start states into the output.
 * Letters reach the workers through a SharedArrayBuffer (no copy when the caller's letters live in
 * one) or, where SharedArrayBuffer is unavailable (browsers without cross-origin isolation), as
 * copies; states come back the same way.
 */
import type { Automaton } from '../automata/types.js';
import { simulateKernel } from './kernel.js';
import { blockTables, bytesOf, letterError, prepareRun, widthKey, type PackedDelta } from './prepare.js';
import { checkMethod, chooseChunks, scanDepth, scanPlan, simulate, type Chunking } from './simulate.js';
import { scanTiles, tileChunksFor } from './tiles.js';
import { transformationMonoid } from './monoid.js';
import type { Letters, SimulateOptions, SimulateResult, States } from './types.js';
import { checkKeys, checkOptions } from '../validate/index.js';
import { SIMULATE_OPTION_KEYS } from './types.js';

/** Runs inside each worker; must not reference anything outside itself (it is sent as source). */
function workerMain(env: { post: (m: unknown, transfer?: Transferable[]) => void; onMessage: (h: (m: any) => void) => void; scanTiles: typeof scanTiles }): void {
  const tiles = env.scanTiles;
  let ex: any = null;
  let mem: WebAssembly.Memory;
  let base = 0;
  let top = 0;
  let job: any = null;
  const alloc = (bytes: number): number => {
    const p = Math.ceil(top / 16) * 16;
    const end = p + bytes;
    const have = mem.buffer.byteLength;
    if (end > have) mem.grow(Math.ceil((end - have) / 65536));
    top = end;
    return p;
  };
  const handle = async (m: any): Promise<void> => {
    try {
      if (m.type === 'init') {
        const inst = await WebAssembly.instantiate(m.module as WebAssembly.Module, {});
        ex = inst.exports;
        if (typeof ex._initialize === 'function') ex._initialize();
        mem = ex.memory;
        base = top = Math.ceil(ex.heapBase() / 16) * 16;
        // Warm the hot loops up so the first long call runs optimized code (see assembly/simulate).
        const wb = ex.WARMUP_BYTES.value;
        const wp = alloc(wb);
        new Uint8Array(mem.buffer, wp, wb).fill(0);
        ex.warmUp(wp);
        top = base;
        env.post({ id: m.id });
      } else if (m.type === 'reduce') {
        // Phase 1 over this worker's chunks, tile by tile (scanTiles, sent along with this code).
        const t0 = performance.now();
        top = base;
        const put = (bytes: Uint8Array): number => {
          const p = alloc(bytes.byteLength);
          new Uint8Array(mem.buffer, p, bytes.byteLength).set(bytes);
          return p;
        };
        const delta = put(m.delta);
        const blockMaps = m.b ? put(m.blockMaps) : 0;
        const blockStates = m.b ? put(new Uint8Array(m.blockStates.buffer, m.blockStates.byteOffset, m.blockStates.byteLength)) : 0;
        const cayley = m.cayley ? put(m.cayley) : 0;
        const plan = {
          width: m.width, b: m.b, mul: m.mul, blockMaps, blockStates, delta, n: m.n, stride: m.stride, ssize: m.ssize,
          cayley, monoidSize: m.monoidSize, monoidWidth: m.monoidWidth,
          lsize: m.lsize, k: m.k, len: m.len, count: m.count, last: m.last, maps: alloc(m.count * (cayley ? 4 : m.stride * m.ssize)),
          starts: alloc(4 * (m.count + 1)), tileChunks: m.tileChunks, tile: alloc(m.tileChunks * m.len * m.lsize + 4),
          outTile: alloc(m.tileChunks * m.len * m.ssize),
        };
        const src = new Uint8Array(m.letters, m.lettersOffset, m.lettersBytes);
        const bad = tiles(ex, plan, 'reduce', src, null);
        if (bad) {
          env.post({ id: m.id, badAt: bad.at, value: bad.value });
          return;
        }
        const mapBytes = m.count * (cayley ? 4 : m.stride * m.ssize);
        const maps = new Uint8Array(mapBytes);
        maps.set(new Uint8Array(mem.buffer, plan.maps, mapBytes));
        job = { plan, src };
        env.post({ id: m.id, maps, ms: { reduce: performance.now() - t0 } }, [maps.buffer]);
      } else if (m.type === 'replay') {
        // Phase 3: replay from the start states, straight into the shared states buffer (or a copy).
        const t0 = performance.now();
        const { plan, src } = job;
        new Int32Array(mem.buffer, plan.starts, m.starts.length).set(m.starts);
        const outBytes = (src.byteLength / plan.lsize) * plan.ssize;
        const dst = m.out ? new Uint8Array(m.out, m.outOffset, outBytes) : new Uint8Array(outBytes);
        tiles(ex, plan, 'replay', src, dst);
        job = null;
        top = base;
        if (m.out) env.post({ id: m.id, ms: { replay: performance.now() - t0 } });
        else env.post({ id: m.id, states: dst }, [dst.buffer]);
      }
    } catch (e) {
      env.post({ id: m.id, error: String((e as Error)?.message ?? e) });
    }
  };
  env.onMessage((m) => void handle(m));
}

interface Port {
  send(m: unknown, transfer?: Transferable[]): Promise<any>;
  ref(): void;
  unref(): void;
  terminate(): Promise<unknown> | void;
}

const debugTiming = typeof process !== 'undefined' && !!process.env?.TESTBEDS_DEBUG_THREADS;
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

async function spawn(): Promise<Port> {
  const pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();
  let next = 0;
  const onReply = (r: any): void => {
    const p = pending.get(r.id);
    if (!p) return;
    pending.delete(r.id);
    if (r.error) p.reject(new Error(`simulate worker: ${r.error}`));
    else p.resolve(r);
  };
  let post: (m: unknown, t?: Transferable[]) => void;
  let port: Omit<Port, 'send'>;
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const code = `const { parentPort } = require('node:worker_threads');\n(${workerMain.toString()})({ post: (m, t) => parentPort.postMessage(m, t), onMessage: (h) => parentPort.on('message', h), scanTiles: ${scanTiles.toString()} });`;
    const w = new Worker(code, { eval: true });
    w.on('message', onReply);
    w.on('error', (e) => { for (const p of pending.values()) p.reject(e); pending.clear(); });
    w.on('exit', (code) => { for (const p of pending.values()) p.reject(new Error(`simulate worker exited (code ${code}) during a call`)); pending.clear(); });
    w.unref();
    post = (m, t) => w.postMessage(m, t as any);
    port = { ref: () => w.ref(), unref: () => w.unref(), terminate: () => w.terminate() };
  } else {
    const code = `(${workerMain.toString()})({ post: (m, t) => self.postMessage(m, t), onMessage: (h) => { self.onmessage = (e) => h(e.data); }, scanTiles: ${scanTiles.toString()} });`;
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    const w = new Worker(url);
    w.onmessage = (e) => onReply(e.data);
    w.onerror = (e) => { for (const p of pending.values()) p.reject(new Error(String(e.message))); pending.clear(); };
    post = (m, t) => w.postMessage(m, t ?? []);
    port = { ref: () => {}, unref: () => {}, terminate: () => w.terminate() };
  }
  const send = (m: any, transfer?: Transferable[]): Promise<any> =>
    new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      post({ ...m, id }, transfer);
    });
  const p: Port = { send, ...port };
  p.ref();
  try {
    await send({ type: 'init', module: simulateKernel.module });
  } finally {
    p.unref();
  }
  return p;
}

let pool: Port[] = [];
let growing: Promise<void> | null = null;

/** Starts (once) at least `n` simulation workers; later calls reuse them. */
export async function startWorkers(n: number): Promise<void> {
  while (growing) await growing;
  if (pool.length >= n) return;
  growing = (async () => {
    const more = await Promise.all(Array.from({ length: n - pool.length }, spawn));
    pool = pool.concat(more);
  })();
  try {
    await growing;
  } finally {
    growing = null;
  }
}

/** Stops every simulation worker (idle workers never keep a Node process alive anyway). */
export async function stopWorkers(): Promise<void> {
  const p = pool;
  pool = [];
  await Promise.all(p.map((w) => w.terminate()));
}

const hasSab = typeof SharedArrayBuffer !== 'undefined' && (typeof (globalThis as any).crossOriginIsolated === 'undefined' || (globalThis as any).crossOriginIsolated === true || isNode);

/**
 * Like simulate(), but `scan` with `threads > 1` spreads chunks over worker threads.
 * Other methods (and threads = 1) run on this thread.
 */
export async function simulateAsync(automaton: Automaton, letters: Letters, options: SimulateOptions = {}): Promise<SimulateResult> {
  checkKeys('simulateAsync', checkOptions('simulateAsync', options), SIMULATE_OPTION_KEYS);
  const method = checkMethod(options.method ?? 'scan');
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw new RangeError(`threads = ${String(threads)}: expected an integer in [1, 64]`);
  if (threads === 1 || method !== 'scan') return simulate(automaton, letters, { ...options, threads: 1 });
  const { P, start, T, states } = prepareRun(automaton, letters, options);
  if (T === 0) return { states, final: start, depth: 0, method, threads: 1 };
  const c = chooseChunks(T, threads, options.chunks);
  // One call at a time: this thread's share lives in the arena across the awaits below.
  const prev = lock;
  let release!: () => void;
  lock = new Promise<void>((r) => (release = r));
  await prev;
  try {
    return await scanThreaded(automaton, letters, states, P, c, start, threads);
  } finally {
    release();
  }
}

let lock: Promise<void> = Promise.resolve();

/**
 * Chunks split into `threads` contiguous ranges: range 0 on this thread (its kernel instance is
 * already warm and scheduled), the others on worker threads; phase 1 runs on all at once, then
 * phase 2 here, then phase 3 on all at once.
 */
async function scanThreaded(automaton: Automaton, letters: Letters, states: States, P: PackedDelta, c: Chunking, start: number, threads: number): Promise<SimulateResult> {
  const T = letters.length;
  const lsize = letters.BYTES_PER_ELEMENT;
  const width = widthKey(P.ssize, lsize);
  const bt = lsize === 1 ? blockTables(P) : null;
  const mon = P.stride !== 16 ? transformationMonoid(P) : null;
  const parts = Math.min(threads, c.count);
  const per = Math.ceil(c.count / parts);
  const ranges = Array.from({ length: parts }, (_, i) => [i * per, Math.min(c.count, (i + 1) * per)] as const).filter(([a, b]) => b > a);
  if (ranges.length > 1) await startWorkers(ranges.length - 1);
  const used = pool.slice(0, ranges.length - 1);
  const lettersShared = hasSab && letters.buffer instanceof SharedArrayBuffer;
  const statesShared = hasSab && states.buffer instanceof SharedArrayBuffer;
  const span = (i: number) => {
    const [a, b] = ranges[i]!;
    const first = a * c.len;
    return { a, b, first, steps: Math.min(T, b * c.len) - first, last: b === c.count ? c.last : c.len };
  };
  const { exports: k, arena } = simulateKernel;
  const mark = arena.mark();
  used.forEach((w) => w.ref());
  try {
    // Phase 1 on the workers (ranges 1..) …
    const pending = used.map((w, j) => {
      const r = span(j + 1);
      let buf: ArrayBufferLike = letters.buffer;
      let off = letters.byteOffset + r.first * lsize;
      const transfer: Transferable[] = [];
      if (!lettersShared) {
        const copy = bytesOf(letters).slice(r.first * lsize, (r.first + r.steps) * lsize);
        buf = copy.buffer;
        off = 0;
        transfer.push(copy.buffer);
      }
      return w.send({
        type: 'reduce', delta: bytesOf(P.table).slice(), n: P.n, k: P.k, stride: P.stride, ssize: P.ssize, lsize, width,
        letters: buf, lettersOffset: off, lettersBytes: r.steps * lsize,
        len: c.len, count: r.b - r.a, last: r.last, tileChunks: Math.min(r.b - r.a, tileChunksFor(c.len, lsize)),
        b: bt ? bt.b : 0, mul: bt ? bt.mul : 0, ...(bt ? { blockMaps: bt.maps, blockStates: bt.states } : {}),
        ...(mon ? { cayley: bytesOf(mon.cayley), monoidSize: mon.size, monoidWidth: widthKey(mon.idSize, lsize) } : {}),
      }, transfer);
    });
    // … and range 0 here, meanwhile.
    const r0 = span(0);
    const plan = scanPlan(P, lsize, { len: c.len, count: r0.b - r0.a, last: r0.last }, (x) => arena.alloc(x), (ptr, x) => arena.u8(ptr, x.byteLength).set(x));
    const src0 = bytesOf(letters).subarray(0, r0.steps * lsize);
    const tm0 = performance.now();
    const bad0 = scanTiles(k, plan, 'reduce', src0, null);
    const tm1 = performance.now();
    const mapReplies = await Promise.all(pending);
    if (bad0) throw letterError(bad0.at, bad0.value, P.k, automaton.name);
    const bad = mapReplies.findIndex((r) => r.badAt !== undefined);
    if (bad >= 0) throw letterError(span(bad + 1).first + mapReplies[bad].badAt, mapReplies[bad].value, P.k, automaton.name);
    // Phase 2: the start state of every chunk.
    const starts = new Int32Array(c.count + 1);
    let q = start;
    starts[0] = q;
    let ci = 0;
    if (mon) {
      // Chunk maps as monoid element ids (one i32 per chunk).
      const all = [arena.i32(plan.maps, plan.count).slice(), ...mapReplies.map((r) => new Int32Array((r.maps as Uint8Array).buffer, (r.maps as Uint8Array).byteOffset, (r.maps as Uint8Array).byteLength / 4))];
      for (const ids of all) for (let j = 0; j < ids.length; j++, ci++) starts[ci + 1] = q = mon.maps[ids[j]! * P.n + q]!;
    } else {
      const mapsOf = (bytes: Uint8Array) => (P.ssize === 1 ? bytes : new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2));
      const allMaps = [mapsOf(arena.u8(plan.maps, plan.count * P.stride * P.ssize).slice()), ...mapReplies.map((r) => mapsOf(r.maps as Uint8Array))];
      for (const maps of allMaps) {
        const cnt = maps.length / P.stride;
        for (let j = 0; j < cnt; j++, ci++) {
          q = maps[j * P.stride + q]!;
          starts[ci + 1] = q;
        }
      }
    }
    // Phase 3 everywhere.
    const replayed = used.map((w, j) => {
      const r = span(j + 1);
      return w.send({ type: 'replay', starts: starts.slice(r.a, r.b), out: statesShared ? states.buffer : null, outOffset: states.byteOffset + r.first * P.ssize });
    });
    arena.i32(plan.starts, r0.b - r0.a).set(starts.subarray(r0.a, r0.b));
    const tm2 = performance.now();
    scanTiles(k, plan, 'replay', src0, bytesOf(states));
    const tm3 = performance.now();
    const replies = await Promise.all(replayed);
    replies.forEach((r, j) => {
      if (r.states) bytesOf(states).set(r.states as Uint8Array, span(j + 1).first * P.ssize);
    });
    if (debugTiming) console.error('simulateAsync ms: this thread', JSON.stringify({ reduce: tm1 - tm0, replay: tm3 - tm2 }), 'workers', JSON.stringify(mapReplies.map((r, i) => ({ ...r.ms, ...replies[i].ms }))));
    return { states, final: q, depth: scanDepth(c), method: 'scan', threads: ranges.length, chunks: { count: c.count, length: c.len } };
  } finally {
    arena.reset(mark);
    used.forEach((w) => w.unref());
  }
}
