/**
 * Runs our AssemblyScript kernels directly on tfjs-wasm's heap: zero copies.
 *
 * A kernel module built by scripts/build-kernels.mjs defines its own memory. Here we rewrite its
 * binary so that memory is imported instead (`env.memory`), and instantiate it with the tfjs-wasm
 * backend's WebAssembly.Memory. The kernels then read and write tensors at their `memoryOffset`s,
 * and take scratch space from tfjs' own allocator (`_malloc`/`_free`). This is safe only for
 * modules with no data segment and no static writes (the kernels are pure functions over the
 * pointers they get); `onTfjsHeap` checks the data-segment part.
 */
import type { WasmBackendInternals } from '../backend.js';
import { decodeBase64 } from '../../kernels/loader.js';

function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = bytes[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, pos];
    shift += 7;
  }
}

function u32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function name(s: string): number[] {
  const b = Array.from(new TextEncoder().encode(s));
  return [...u32(b.length), ...b];
}

/**
 * The module's bytes with its memory definition replaced by an import of `env.memory`
 * (shared when `shared`, as tfjs' threaded build needs). Throws if the module has imports,
 * a data segment, or not exactly one memory.
 */
export function importMemoryInstead(bytes: Uint8Array, shared: boolean): Uint8Array {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm module');
  const sections: { id: number; body: Uint8Array }[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const [size, start] = readU32(bytes, pos);
    sections.push({ id, body: bytes.subarray(start, start + size) });
    pos = start + size;
  }
  if (sections.some((s) => s.id === 2)) throw new Error('kernel module already has imports');
  if (sections.some((s) => s.id === 11 && readU32(s.body, 0)[0] > 0)) throw new Error('kernel module has a data segment; it would overwrite tfjs memory');
  const mem = sections.find((s) => s.id === 5);
  if (!mem || readU32(mem.body, 0)[0] !== 1) throw new Error('kernel module must define exactly one memory');
  // limits: flags 0 = min only; 3 = shared with max (shared memories must declare one; 65536 pages = 4 GiB).
  const limits = shared ? [0x03, ...u32(0), ...u32(65536)] : [0x00, ...u32(0)];
  const importBody = [...u32(1), ...name('env'), ...name('memory'), 0x02, ...limits];
  const out: number[] = Array.from(bytes.subarray(0, 8));
  const push = (id: number, body: ArrayLike<number>) => out.push(id, ...u32(body.length), ...Array.from(body));
  let inserted = false;
  for (const s of sections) {
    if (s.id === 5) continue; // the memory now comes from the import
    // Custom sections (0) keep their place; the import section goes right after the type section (1).
    if (!inserted && s.id !== 0 && s.id !== 1) {
      push(2, importBody);
      inserted = true;
    }
    push(s.id, s.body);
  }
  if (!inserted) push(2, importBody);
  return new Uint8Array(out);
}

/**
 * tfjs-wasm's binary with its memory definition made shared (limits flag 0x03, the maximum kept or
 * set to 65536 pages), so that worker threads can run our kernels on the same memory
 * (ops/threads.ts). Nothing else changes: tfjs' own code never uses atomics, and emscripten's glue
 * grows and re-views a shared memory as it does an unshared one. Throws if the binary does not
 * define exactly one memory (tfjs' threaded build imports it instead).
 */
export function shareTfjsMemory(bytes: Uint8Array): Uint8Array {
  if (bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw new Error('not a wasm module');
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, start] = readU32(bytes, pos + 1);
    if (id === 5) {
      const body = bytes.subarray(start, start + size);
      if (readU32(body, 0)[0] !== 1) throw new Error('tfjs-wasm binary must define exactly one memory');
      const flags = body[1];
      const [min, afterMin] = readU32(body, 2);
      const max = flags & 1 ? readU32(body, afterMin)[0] : 65536;
      const newBody = [1, 0x03, ...u32(min), ...u32(max)];
      const head = [5, ...u32(newBody.length), ...newBody];
      const tail = bytes.subarray(start + size);
      const out = new Uint8Array(pos + head.length + tail.length);
      out.set(bytes.subarray(0, pos));
      out.set(head, pos);
      out.set(tail, pos + head.length);
      return out;
    }
    pos = start + size;
  }
  throw new Error('tfjs-wasm binary defines no memory (the threaded build imports it)');
}

interface TfjsWasmModule {
  asm?: { memory?: WebAssembly.Memory };
  wasmMemory?: WebAssembly.Memory;
  _malloc(n: number): number;
  _free(p: number): void;
}

/** tfjs-wasm's WebAssembly.Memory (emscripten's `Module.asm.memory`). */
export function tfjsMemory(backend: WasmBackendInternals): WebAssembly.Memory {
  const m = backend.wasm as unknown as TfjsWasmModule;
  const memory = m.asm?.memory ?? m.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) throw new Error('tfjs-wasm memory not found (Module.asm.memory); tfjs version changed?');
  return memory;
}

/** A kernel instance sharing tfjs-wasm's memory, with tfjs' allocator for scratch space. */
export interface HeapKernel<E> {
  exports: E;
  malloc(bytes: number): number;
  free(ptr: number): void;
}

const cache = new WeakMap<WebAssembly.Memory, Map<string, HeapKernel<unknown>>>();
const compiled = new Map<string, WebAssembly.Module>();

function isShared(memory: WebAssembly.Memory): boolean {
  return typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
}

/**
 * Compiles and instantiates the kernel modules on `backend`'s memory ahead of time,
 * asynchronously (initBackend calls it): browsers refuse synchronous compilation of modules
 * over 4 KB on the main thread, and tfjs kernel functions are synchronous.
 */
export async function preloadOnTfjsHeap(backend: WasmBackendInternals, modules: Record<string, string>): Promise<void> {
  const memory = tfjsMemory(backend);
  const shared = isShared(memory);
  for (const [kernelName, b64] of Object.entries(modules)) {
    const key = `${kernelName}:${shared}`;
    let module = compiled.get(key);
    if (!module) {
      module = await WebAssembly.compile(importMemoryInstead(decodeBase64(b64), shared) as BufferSource);
      compiled.set(key, module);
    }
    let perMemory = cache.get(memory);
    if (!perMemory) cache.set(memory, (perMemory = new Map()));
    if (!perMemory.has(kernelName)) {
      const instance = await WebAssembly.instantiate(module, { env: { memory } });
      perMemory.set(kernelName, heapKernel(backend, instance));
    }
  }
}

function heapKernel<E>(backend: WasmBackendInternals, instance: WebAssembly.Instance): HeapKernel<E> {
  const m = backend.wasm as unknown as TfjsWasmModule;
  return {
    exports: instance.exports as unknown as E,
    malloc: (bytes) => {
      const p = m._malloc(bytes);
      if (!p) throw new Error(`tfjs-wasm malloc(${bytes}) failed: out of wasm memory`);
      return p;
    },
    free: (p) => m._free(p),
  };
}

/** Kernel modules compiled for an imported shared memory (for worker threads), asynchronously. */
export async function sharedKernelModules(modules: Record<string, string>): Promise<Record<string, WebAssembly.Module>> {
  const out: Record<string, WebAssembly.Module> = {};
  for (const [kernelName, b64] of Object.entries(modules)) {
    const key = `${kernelName}:true`;
    let module = compiled.get(key);
    if (!module) {
      module = await WebAssembly.compile(importMemoryInstead(decodeBase64(b64), true) as BufferSource);
      compiled.set(key, module);
    }
    out[kernelName] = module;
  }
  return out;
}

/** The kernel module `name` (base64 bytes) instantiated on `backend`'s memory (cached). */
export function onTfjsHeap<E>(backend: WasmBackendInternals, kernelName: string, wasmBase64: string): HeapKernel<E> {
  const memory = tfjsMemory(backend);
  let perMemory = cache.get(memory);
  if (!perMemory) cache.set(memory, (perMemory = new Map()));
  const hit = perMemory.get(kernelName);
  if (hit) return hit as HeapKernel<E>;
  const shared = isShared(memory);
  const key = `${kernelName}:${shared}`;
  let module = compiled.get(key);
  if (!module) {
    // Synchronous fallback (Node, workers); initBackend preloads asynchronously for browsers.
    module = new WebAssembly.Module(importMemoryInstead(decodeBase64(wasmBase64), shared) as BufferSource);
    compiled.set(key, module);
  }
  const kernel = heapKernel<E>(backend, new WebAssembly.Instance(module, { env: { memory } }));
  perMemory.set(kernelName, kernel as HeapKernel<unknown>);
  return kernel;
}
