/**
 * TypeScript owns kernel memory. A WasmArena is a bump allocator over one instance's linear
 * memory, above the kernel's static data (__heap_base, exported as `heapBase()` by every kernel).
 *
 * Usage: `const mark = arena.mark(); try { p = arena.alloc(n); ...kernel(p)... } finally { arena.reset(mark); }`
 * so repeated calls never leak. Memory only grows (wasm cannot shrink); growth detaches old
 * ArrayBuffer views, so always take views (`arena.u8(ptr, n)`) after the last call that may allocate.
 */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heapBase(): number;
}

const PAGE = 65536;
/** Wasm32 memories stop at 4 GiB; we refuse earlier with a clear message. */
export const MAX_WASM_BYTES = 4 * 1024 * 1024 * 1024 - PAGE;

export class WasmArena {
  readonly memory: WebAssembly.Memory;
  private top: number;
  private readonly base: number;

  constructor(exports: KernelExports) {
    this.memory = exports.memory;
    this.base = align(exports.heapBase(), 16);
    this.top = this.base;
  }

  /** Allocates `bytes` bytes aligned to `alignment`, growing memory if needed; returns the pointer. */
  alloc(bytes: number, alignment = 16): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new RangeError(`alloc: bytes must be a non-negative integer, got ${bytes}`);
    const ptr = align(this.top, alignment);
    const end = ptr + bytes;
    if (end > MAX_WASM_BYTES) {
      throw new RangeError(`alloc: ${end} bytes of wasm memory needed, above the 4 GiB limit of wasm32`);
    }
    const have = this.memory.buffer.byteLength;
    if (end > have) this.memory.grow(Math.ceil((end - have) / PAGE));
    this.top = end;
    return ptr;
  }

  mark(): number {
    return this.top;
  }

  reset(mark = this.base): void {
    if (mark < this.base || mark > this.top) throw new RangeError(`reset: mark ${mark} outside [${this.base}, ${this.top}]`);
    this.top = mark;
  }

  /** Bytes in use above the heap base (for leak checks). */
  get used(): number {
    return this.top - this.base;
  }

  u8(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, ptr, length);
  }
  u16(ptr: number, length: number): Uint16Array {
    return new Uint16Array(this.memory.buffer, ptr, length);
  }
  u32(ptr: number, length: number): Uint32Array {
    return new Uint32Array(this.memory.buffer, ptr, length);
  }
  i32(ptr: number, length: number): Int32Array {
    return new Int32Array(this.memory.buffer, ptr, length);
  }
  f64(ptr: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, length);
  }
}

export function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
