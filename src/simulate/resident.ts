/**
 * Arrays that live in the simulate kernel's own memory. simulateBatch() reads letters and writes
 * states in place when they are such views (no copy in, no copy out), which is how the batched
 * path reaches memory bandwidth. Fill `buf.array` (e.g. with `.set(sampleLetters(...))`), pass
 * `buf.array` as letters or `out`, read results through `buf.array` again: a view taken before a
 * call that grew wasm memory is detached, so take views after the last call (a fresh one per access).
 */
import { simulateKernel } from './kernel.js';
import { fail } from '../validate/index.js';

export class KernelBuffer {
  readonly ptr: number;
  readonly length: number;
  readonly bytesPerElement: 1 | 2;
  private readonly mark: number;
  private freed = false;

  constructor(length: number, bytesPerElement: 1 | 2 = 1) {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`KernelBuffer: length = ${length} must be a non-negative integer`);
    if (bytesPerElement !== 1 && bytesPerElement !== 2) throw new RangeError(`KernelBuffer: bytesPerElement = ${String(bytesPerElement)} must be 1 or 2`);
    const { arena } = simulateKernel;
    this.mark = arena.mark();
    this.ptr = arena.alloc(length * bytesPerElement);
    // Headroom: the small allocations of a following simulateBatch call then need no growth.
    const slack = arena.alloc(1 << 20);
    arena.reset(slack);
    this.length = length;
    this.bytesPerElement = bytesPerElement;
  }

  /** A fresh view of the buffer (Uint8Array or Uint16Array). */
  get array(): Uint8Array | Uint16Array {
    if (this.freed) throw new Error('KernelBuffer: used after free()');
    const { arena } = simulateKernel;
    return this.bytesPerElement === 1 ? arena.u8(this.ptr, this.length) : arena.u16(this.ptr, this.length);
  }

  /** Releases this buffer and every kernel allocation made after it (buffers are freed last-in, first-out). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    const { arena } = simulateKernel;
    if (arena.mark() >= this.mark) arena.reset(this.mark);
  }
}

/** True when `x` is a view into the simulate kernel's memory. */
export function isResident(x: ArrayBufferView): boolean {
  if (!ArrayBuffer.isView(x)) fail('isResident', `x must be a typed array, got ${x === null ? 'null' : typeof x}`);
  return x.buffer === simulateKernel.arena.memory.buffer;
}
