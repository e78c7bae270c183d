/**
 * Worker threads for our kernels on tfjs-wasm's heap (Node worker_threads, Web Workers in browsers).
 *
 * How: when threads are wanted, initBackend loads tfjs-wasm with its memory made shared (a one-byte
 * rewrite of the binary's memory definition, tfjs_heap.ts: `shareTfjsMemory`). Each worker gets
 * that WebAssembly.Memory and our compiled kernel modules (both can be posted), instantiates the
 * kernels on it, and then blocks in `Atomics.wait` on its slot of a small control
 * SharedArrayBuffer. A kernel call is split into parts (rows of a GEMM, batches of attention,
 * ranges of GELU): part 0 runs on the calling thread, part i on worker i − 1, with the function
 * index and its numeric arguments written into the worker's slot, then `Atomics.notify`. The caller
 * runs its part and waits for the workers' done words (Atomics.wait where the thread may block:
 * Node and workers; a spin on Atomics.load on a browser's main thread, which may not block).
 * No copies: every thread reads and writes tfjs' tensors in place. Scratch for every part is
 * allocated by the caller (tfjs' malloc is not thread-safe) before the parts start.
 *
 * Determinism: a part is a set of output rows (or batches, or elements) whose values are computed
 * exactly as in the one-thread call, so the bits do not depend on the thread count.
 *
 * Lifetime: workers are unref'd in Node (an idle pool never keeps the process alive) and stopped by
 * `stopThreads()` (setThreads(1) and backend disposal call it).
 */

/** Functions the workers can run, by index: [kernel module, export]. */
export const THREAD_FUNCTIONS = [
  ['nn', 'gemm'],
  ['gemm-relaxed', 'gemm'],
  ['attention', 'attentionForward'],
  ['attention', 'attentionBackward'],
  ['nn', 'geluForward'],
  ['nn', 'geluBackward'],
  ['nn', 'simdPeakAccumulate'], // the multi-thread WASM-SIMD ceiling (bench/lib/gemm-speed.ts)
  ['attention', 'attentionForwardReference'], // the row-at-a-time kernels, for bench/attention.ts
  ['attention', 'attentionBackwardReference'],
  // Add and LayerNorm split by elements or rows (ops/add.ts, ops/nn.ts)
  ['nn', 'addSame'],
  ['nn', 'addRows'],
  ['nn', 'layerNormForward'],
  ['nn', 'layerNormBackwardPart'],
  ['nn', 'segmentSumRows'], // tf.gather's gradient (UnsortedSegmentSum), split by segments
] as const;

type KernelName = (typeof THREAD_FUNCTIONS)[number][0];
type FunctionName = (typeof THREAD_FUNCTIONS)[number][1];

// Control slot of one worker: int32 words, then float64 arguments; 512 bytes keeps slots on
// separate cache lines.
const SLOT_BYTES = 512;
const ARGS_OFFSET = 64;
const MAX_ARGS = (SLOT_BYTES - ARGS_OFFSET) / 8;
const SEQ = 0; // bumped by the caller to post a job
const DONE = 1; // set to SEQ by the worker when the job is done
const STATUS = 2; // 0 ok, 1 the kernel threw (trap)
const FN = 3; // index into THREAD_FUNCTIONS; −1 = quit
const NARGS = 4;

/** Runs inside each worker; must not reference anything outside itself (it is sent as source). */
function serve(msg: { memory: WebAssembly.Memory; modules: Record<string, WebAssembly.Module>; fns: [string, string][]; ctrl: SharedArrayBuffer; slot: number; layout: number[] }, ready: () => void): void {
  const [argsOffset, maxArgs, SEQ, DONE, STATUS, FN, NARGS] = msg.layout;
  const inst: Record<string, Record<string, unknown>> = {};
  for (const name of Object.keys(msg.modules)) inst[name] = new WebAssembly.Instance(msg.modules[name], { env: { memory: msg.memory } }).exports as Record<string, unknown>;
  const fns = msg.fns.map(([m, f]) => (inst[m] ? (inst[m][f] as (...a: number[]) => void) : null));
  const w = new Int32Array(msg.ctrl, msg.slot, argsOffset / 4);
  const a = new Float64Array(msg.ctrl, msg.slot + argsOffset, maxArgs);
  // Read before announcing readiness: the first job may be posted the moment 'ready' arrives.
  let seen = Atomics.load(w, SEQ);
  ready();
  for (;;) {
    Atomics.wait(w, SEQ, seen);
    const seq = Atomics.load(w, SEQ);
    if (seq === seen) continue;
    seen = seq;
    const f = w[FN];
    if (f < 0) return;
    let status = 0;
    try {
      const args: number[] = [];
      for (let i = 0; i < w[NARGS]; i++) args.push(a[i]);
      fns[f]!(...args);
    } catch {
      status = 1;
    }
    w[STATUS] = status;
    Atomics.store(w, DONE, seq);
    Atomics.notify(w, DONE);
  }
}

interface WorkerHandle {
  terminate(): void;
}

interface Pool {
  memory: WebAssembly.Memory;
  workers: WorkerHandle[];
  words: Int32Array[];
  args: Float64Array[];
  seqs: number[];
}

/**
 * Calls smaller than these stay on one thread (a hand-off costs ~10-30 µs): multiply-adds of a
 * GEMM, B·H·T²·hs of attention, elements of GELU and LayerNorm, elements of an Add (a pure memory
 * stream: one thread moves ~50 GB/s, so a split gains only on large tensors). Tests set them to 0
 * to force splits.
 */
export const parallelThresholds = { gemmMacs: 1 << 19, attentionWork: 1 << 19, elements: 1 << 15, streamElements: 1 << 19 };

let pool: Pool | null = null;
const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
const canBlock = (() => {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
})();

/** Whether this runtime can share tfjs' memory with workers (Node; cross-origin-isolated pages). */
export function threadsAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined' || typeof Atomics === 'undefined') return false;
  if (isNode) return true;
  const g = globalThis as { crossOriginIsolated?: boolean; Worker?: unknown };
  return g.crossOriginIsolated === true && typeof g.Worker === 'function';
}

/** Threads our kernels run on now (1 = the calling thread only). */
export function threadCount(): number {
  return pool ? pool.workers.length + 1 : 1;
}

async function spawn(msg: Record<string, unknown>): Promise<WorkerHandle> {
  const src = `(${serve.toString()})`;
  if (isNode) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(`const { parentPort } = require('node:worker_threads');\nparentPort.once('message', (m) => ${src}(m, () => parentPort.postMessage('ready')));`, { eval: true });
    try {
      await new Promise<void>((ok, fail) => {
        w.once('message', () => ok());
        w.once('error', fail);
        w.once('exit', (code) => fail(new Error(`kernel worker exited (code ${code}) while starting`)));
        w.postMessage(msg);
      });
    } catch (e) {
      void w.terminate();
      throw e;
    }
    w.unref();
    return { terminate: () => void w.terminate() };
  }
  const url = URL.createObjectURL(new Blob([`self.onmessage = (e) => { self.onmessage = null; ${src}(e.data, () => self.postMessage('ready')); };`], { type: 'text/javascript' }));
  const w = new Worker(url);
  try {
    await new Promise<void>((ok, fail) => {
      w.onmessage = () => ok();
      w.onerror = (e) => fail(new Error(`kernel worker failed to start: ${e.message}`));
      w.postMessage(msg);
    });
  } catch (e) {
    w.terminate();
    throw e;
  } finally {
    URL.revokeObjectURL(url);
  }
  return { terminate: () => w.terminate() };
}

/**
 * Starts `n − 1` workers running `modules` (compiled for a shared imported memory) on `memory`
 * (which must be shared); stops any earlier pool first. Returns the thread count now in use.
 */
export async function startThreads(memory: WebAssembly.Memory, modules: Record<string, WebAssembly.Module>, n: number): Promise<number> {
  stopThreads();
  if (n <= 1) return 1;
  if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('startThreads: tfjs-wasm memory is not shared');
  const ctrl = new SharedArrayBuffer(SLOT_BYTES * (n - 1));
  const layout = [ARGS_OFFSET, MAX_ARGS, SEQ, DONE, STATUS, FN, NARGS];
  const fns = THREAD_FUNCTIONS.map(([m, f]) => [m, f]);
  const workers = await Promise.allSettled(Array.from({ length: n - 1 }, (_, i) => spawn({ memory, modules, fns, ctrl, slot: i * SLOT_BYTES, layout })));
  const failed = workers.find((w) => w.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failed) {
    for (const w of workers) if (w.status === 'fulfilled') w.value.terminate();
    throw failed.reason instanceof Error ? failed.reason : new Error(String(failed.reason));
  }
  pool = {
    memory,
    workers: workers.map((w) => (w as PromiseFulfilledResult<WorkerHandle>).value),
    words: Array.from({ length: n - 1 }, (_, i) => new Int32Array(ctrl, i * SLOT_BYTES, ARGS_OFFSET / 4)),
    args: Array.from({ length: n - 1 }, (_, i) => new Float64Array(ctrl, i * SLOT_BYTES + ARGS_OFFSET, MAX_ARGS)),
    seqs: Array.from({ length: n - 1 }, () => 0),
  };
  return threadCount();
}

/** Stops the workers (idempotent); kernels run on the calling thread afterwards. */
export function stopThreads(): void {
  const p = pool;
  pool = null;
  if (!p) return;
  p.workers.forEach((w, i) => {
    const words = p.words[i];
    words[FN] = -1;
    Atomics.store(words, SEQ, ++p.seqs[i]);
    Atomics.notify(words, SEQ);
    w.terminate();
  });
}

/**
 * Splits [0, n) into at most `parts` contiguous ranges whose starts are multiples of `align`,
 * none of them empty: [start, end) pairs.
 */
export function splitRange(n: number, parts: number, align = 1): [number, number][] {
  const units = Math.ceil(n / align);
  const k = Math.max(1, Math.min(parts, units));
  const out: [number, number][] = [];
  for (let i = 0; i < k; i++) {
    const a = Math.min(n, Math.floor((units * i) / k) * align);
    const b = Math.min(n, Math.floor((units * (i + 1)) / k) * align);
    if (b > a) out.push([a, b]);
  }
  return out;
}

/**
 * Runs `fn` of kernel module `kernel` once per argument list in `parts`: parts[0] with `local` (the
 * calling thread's instance of that function), parts[i] on worker i − 1. Synchronous: returns when
 * every part is done. The parts must write disjoint memory.
 */
export function runParts(kernel: KernelName, fn: FunctionName, local: (...args: number[]) => void, parts: number[][]): void {
  const p = pool;
  if (!p || parts.length === 1) {
    for (const args of parts) local(...args);
    return;
  }
  if (parts.length > p.workers.length + 1) throw new Error(`runParts: ${parts.length} parts for ${p.workers.length + 1} threads`);
  const index = THREAD_FUNCTIONS.findIndex(([m, f]) => m === kernel && f === fn);
  if (index < 0) throw new Error(`runParts: ${kernel}.${fn} is not a thread function`);
  for (let i = 1; i < parts.length; i++) {
    const words = p.words[i - 1];
    const args = parts[i];
    if (args.length > MAX_ARGS) throw new Error(`runParts: ${args.length} arguments, at most ${MAX_ARGS}`);
    p.args[i - 1].set(args);
    words[FN] = index;
    words[NARGS] = args.length;
    words[STATUS] = 0;
    Atomics.store(words, SEQ, ++p.seqs[i - 1]);
    Atomics.notify(words, SEQ);
  }
  let error: unknown = null;
  try {
    local(...parts[0]);
  } catch (e) {
    error = e;
  }
  let failed = -1;
  for (let i = 1; i < parts.length; i++) {
    const words = p.words[i - 1];
    const seq = p.seqs[i - 1];
    for (;;) {
      const done = Atomics.load(words, DONE);
      if (done === seq) break;
      if (canBlock) Atomics.wait(words, DONE, done, 1000);
    }
    if (words[STATUS] !== 0 && failed < 0) failed = i;
  }
  if (error) throw error;
  if (failed >= 0) throw new Error(`${kernel}.${fn} failed on worker ${failed} (a wasm trap: out-of-bounds arguments?)`);
}
