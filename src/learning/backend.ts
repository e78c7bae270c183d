/**
 * tfjs backend setup for src/learning: one call, `await initBackend()`, before any model code.
 *
 * What it fixes in @tensorflow/tfjs-core 4.22 (measured here, see issue #5):
 * - tfjs-core registers no gradients and no chained ops (`t.add(u)`) from its main entry, and its
 *   `dist/register_all_gradients.js` cannot be imported by Node. We register a vendored copy
 *   (ops/tf_registrations.generated.ts) bound to the same tfjs-core instance.
 * - The wasm backend has no `UnsortedSegmentSum` kernel, so `tf.gather`'s gradient (embeddings)
 *   fails. We register one (a loop over the backend's heap, no copies).
 * - The wasm binary is found in node_modules in Node; browsers call `setWasmBinaryLocation` with a
 *   URL the page serves (or a map of binary names to URLs) before `initBackend`.
 * - Causal attention, LayerNorm, GELU and bias gradients get fused AssemblyScript kernels that run
 *   on tfjs' own heap (ops/attention_kernels.ts, ops/nn.ts, ops/tfjs_heap.ts).
 * - SIMD is used whenever the runtime validates it (tfjs' own probe). tfjs' own threaded build is
 *   never used (its worker path does not resolve in Node 4.22, and its XNNPACK threading is not
 *   ours to keep deterministic); `initBackend('wasm', { threads: n })` instead loads tfjs-wasm
 *   with a shared memory and runs our kernels on n threads (ops/threads.ts), same bits as one.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerGradientsAndChainedOps } from './ops/tf_registrations.generated.js';
import { registerFusedAttentionKernels } from './ops/attention_kernels.js';
import { registerNnKernels, segmentSumOnHeap } from './ops/nn.js';
import { registerGemmKernel } from './ops/gemm.js';
import { registerAdamWKernel } from './ops/adamw.js';
import { registerSharedIdentity } from './ops/identity.js';
import { registerThreadedAdd } from './ops/add.js';
import { preloadOnTfjsHeap, shareTfjsMemory, sharedKernelModules, tfjsMemory } from './ops/tfjs_heap.js';
import { startThreads, stopThreads, threadCount, threadsAvailable } from './ops/threads.js';
import { relaxedSimdSupported } from './ops/gemm.js';
import { wasmBase64 as attentionWasm } from '../kernels/generated/attention.js';
import { wasmBase64 as nnWasm } from '../kernels/generated/nn.js';
import { wasmBase64 as relaxedWasm } from '../kernels/generated/gemm-relaxed.js';
import { registerUnpackKernel } from './ops/unpack.js';

export { threadCount, threadsAvailable } from './ops/threads.js';

export type BackendName = 'wasm' | 'cpu';

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

let registered = false;
let wasmLocation: string | Record<string, string> | null = null;
let wasmPathsSet = false;

/**
 * Where the browser finds tfjs' wasm binaries: a URL prefix ending in '/' holding
 * tfjs-backend-wasm{,-simd,-threaded-simd}.wasm, or a map from those names to URLs.
 * Call before `initBackend('wasm')`. Not needed in Node.
 */
export function setWasmBinaryLocation(prefixOrFileMap: string | Record<string, string>): void {
  if (wasmPathsSet) throw new Error('setWasmBinaryLocation: the wasm backend is already initialised; call it before initBackend');
  wasmLocation = prefixOrFileMap;
}

/** Registers gradients, chained ops and our extra kernels once per process (idempotent). */
export function registerLearningOps(): void {
  if (registered) return;
  registered = true;
  // Skip the vendored gradients when someone (e.g. the @tensorflow/tfjs umbrella) already did it.
  if (tf.getGradient('BatchMatMul') == null) registerGradientsAndChainedOps(tf);
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') == null) {
    tf.registerKernel({ kernelName: 'UnsortedSegmentSum', backendName: 'wasm', kernelFunc: unsortedSegmentSumWasm as unknown as tf.KernelFunc });
  }
  registerUnpackKernel();
  registerFusedAttentionKernels();
  registerNnKernels();
  registerGemmKernel();
  registerAdamWKernel();
  registerSharedIdentity();
  registerThreadedAdd();
}

async function nodeWasmPrefix(): Promise<string> {
  const { createRequire } = await import('node:module');
  const { dirname, sep } = await import('node:path');
  const require = createRequire(import.meta.url);
  // The package's main file lives in dist/, beside the .wasm binaries.
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

/** Options of initBackend. */
export interface BackendOptions {
  /**
   * Threads for our kernels on the wasm backend (default 1). More than 1 loads tfjs-wasm with a
   * shared memory, which must happen at its first initialisation; runtimes without
   * SharedArrayBuffer (browser pages that are not cross-origin isolated) fall back to 1 thread:
   * `threadCount()` says what is in use. Results are the same bits for every thread count.
   */
  threads?: number;
}

const TFJS_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;
let sharedMemory = false;

function checkThreads(threads: unknown): number {
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new Error(`threads must be an integer in [1, 64], got ${JSON.stringify(threads)}`);
  }
  return threads;
}

/**
 * tfjs' wasm binaries with shared memories, as URLs for setWasmPaths (data: URLs in Node, blob:
 * URLs in browsers). The threaded name maps to the SIMD binary: tfjs' own threads stay off.
 */
async function sharedBinaryUrls(): Promise<Record<string, string>> {
  const bytesOf = async (file: string): Promise<Uint8Array> => {
    if (isNode) {
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile((await nodeWasmPrefix()) + file));
    }
    const loc = wasmLocation;
    if (loc == null) throw new Error('threads: call setWasmBinaryLocation before initBackend in a browser');
    const url = typeof loc === 'string' ? loc + file : loc[file];
    if (!url) throw new Error(`threads: setWasmBinaryLocation has no URL for ${file}`);
    const res = await fetch(url, { credentials: 'same-origin' });
    if (!res.ok) throw new Error(`threads: fetching ${url} failed (${res.status})`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const toUrl = (bytes: Uint8Array): string =>
    isNode ? 'data:application/wasm;base64,' + Buffer.from(bytes).toString('base64') : URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/wasm' }));
  const plain = toUrl(shareTfjsMemory(await bytesOf(TFJS_BINARIES[0])));
  const simd = toUrl(shareTfjsMemory(await bytesOf(TFJS_BINARIES[1])));
  return { [TFJS_BINARIES[0]]: plain, [TFJS_BINARIES[1]]: simd, [TFJS_BINARIES[2]]: simd };
}

/**
 * Makes `name` the active tfjs backend ('wasm' by default; 'cpu' for gradient checks and as the
 * baseline) with gradients, chained ops and our kernels registered. Idempotent; returns the
 * active backend's name. `options.threads` (wasm only) as in BackendOptions.
 */
export async function initBackend(name: BackendName = 'wasm', options: BackendOptions = {}): Promise<string> {
  if (name !== 'wasm' && name !== 'cpu') throw new Error(`backend must be 'wasm' or 'cpu', got ${JSON.stringify(name)}`);
  if (options === null || typeof options !== 'object') throw new Error(`initBackend: options must be an object, got ${JSON.stringify(options)}`);
  const threads = options.threads === undefined ? undefined : checkThreads(options.threads);
  registerLearningOps();
  if (name === 'wasm' && !wasmPathsSet) {
    // Never tfjs' own threaded build (see the header); ours need a shared memory instead.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    if ((threads ?? 1) > 1 && threadsAvailable()) {
      setWasmPaths(await sharedBinaryUrls(), true);
      sharedMemory = true;
    } else {
      const location = wasmLocation ?? (isNode ? await nodeWasmPrefix() : null);
      if (location != null) setWasmPaths(location as string);
    }
    wasmPathsSet = true;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs backend ${name} failed to initialise`);
    await tf.ready();
    if (name === 'wasm') {
      // Our kernels share tfjs' memory; compile and instantiate them now, asynchronously.
      await preloadOnTfjsHeap(tf.backend() as unknown as WasmBackendInternals, { attention: attentionWasm, nn: nnWasm });
    }
    if (name === 'cpu') {
      // Silence the one-time "install tfjs-node" banner the CPU backend prints in Node.
      (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
    }
  }
  if (name === 'wasm' && threads !== undefined && threads !== threadCount()) await setThreads(threads);
  return tf.getBackend();
}

const disposeHooked = new WeakSet<object>();

/** Stops our workers when tfjs disposes the wasm backend (tf.removeBackend, engine reset). */
function stopThreadsOnDispose(backend: object): void {
  if (disposeHooked.has(backend)) return;
  disposeHooked.add(backend);
  const b = backend as { dispose(): void };
  const dispose = b.dispose.bind(b);
  b.dispose = () => {
    stopThreads();
    dispose();
  };
}

/**
 * Runs our wasm kernels on `n` threads from now on (1 stops the workers). Needs the wasm backend
 * initialised with `{ threads: m }`, m > 1 (a shared memory), unless n = 1; where the runtime
 * cannot share memory the answer is 1. Returns the thread count now in use.
 */
export async function setThreads(n: number): Promise<number> {
  checkThreads(n);
  if (n === 1 || !sharedMemory) {
    stopThreads();
    if (n > 1 && threadsAvailable()) {
      throw new Error(`setThreads(${n}): the wasm backend was started without a shared memory; pass { threads } to the first initBackend('wasm', ...) call`);
    }
    return 1;
  }
  const backend = tf.findBackend('wasm') as unknown as WasmBackendInternals | null;
  if (!backend) throw new Error(`setThreads(${n}): call initBackend('wasm', { threads: ${n} }) first`);
  if (threadCount() === n) return n;
  stopThreadsOnDispose(backend);
  const modules = await sharedKernelModules({ nn: nnWasm, attention: attentionWasm, ...(relaxedSimdSupported() ? { 'gemm-relaxed': relaxedWasm } : {}) });
  return startThreads(tfjsMemory(backend), modules, n);
}

/** The tfjs wasm backend's internals we use (stable across 4.x; see tfjs-backend-wasm/src/backend_wasm.ts). */
export interface WasmBackendInternals {
  wasm: { HEAPU8: Uint8Array; HEAPF32: Float32Array; HEAP32: Int32Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number; shape: number[]; dtype: string } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

/** Float32 view of a tensor's data on the wasm heap (take it after the last allocation). */
export function heapF32(backend: WasmBackendInternals, t: tf.TensorInfo): Float32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor data not found on the wasm backend');
  const n = t.shape.reduce((a, b) => a * b, 1);
  return new Float32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, n);
}

function heapI32(backend: WasmBackendInternals, t: tf.TensorInfo): Int32Array {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) throw new Error('tensor data not found on the wasm backend');
  const n = t.shape.reduce((a, b) => a * b, 1);
  return new Int32Array(backend.wasm.HEAPU8.buffer, data.memoryOffset, n);
}

/**
 * UnsortedSegmentSum on wasm: out[s, ...] = sum of x[i, ...] over i with segmentIds[i] = s, where
 * segmentIds has the leading dims of x. Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
function unsortedSegmentSumWasm(args: { inputs: { x: tf.TensorInfo; segmentIds: tf.TensorInfo }; backend: unknown; attrs: { numSegments: number } }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs;
  const backend = args.backend as WasmBackendInternals;
  const numSegments = args.attrs.numSegments;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`UnsortedSegmentSum: x.dtype is ${x.dtype}, expected float32 or int32`);
  const idsRank = segmentIds.shape.length;
  for (let i = 0; i < idsRank; i++) {
    if (segmentIds.shape[i] !== x.shape[i]) {
      throw new Error(`UnsortedSegmentSum: segmentIds.shape [${segmentIds.shape}] is not a prefix of x.shape [${x.shape}]`);
    }
  }
  const inner = x.shape.slice(idsRank);
  const rowLen = inner.reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...inner], x.dtype);
  if (x.dtype === 'float32' && segmentIds.dtype === 'int32' && segmentSumOnHeap(backend, x, segmentIds, out, rowLen, numSegments)) return out;
  // Views after makeOutput (it may grow the heap and detach older views).
  const ids = segmentIds.dtype === 'int32' ? heapI32(backend, segmentIds) : Int32Array.from(heapF32(backend, segmentIds));
  if (x.dtype === 'int32') segmentSumLoop(heapI32(backend, x), ids, heapI32(backend, out), rowLen, numSegments);
  else segmentSumLoop(heapF32(backend, x), ids, heapF32(backend, out), rowLen, numSegments);
  return out;
}

function segmentSumLoop<A extends Float32Array | Int32Array>(xs: A, ids: Int32Array, os: A, rowLen: number, numSegments: number): void {
  os.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * rowLen;
    const dst = s * rowLen;
    for (let j = 0; j < rowLen; j++) os[dst + j] += xs[src + j];
  }
}
