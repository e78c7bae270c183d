/**
 * Froidure–Pin enumeration of a transformation semigroup, driving the AssemblyScript kernel
 * (assembly/semigroup/index.ts, whose header gives the memory layout). This file owns allocation:
 * each enumeration gets its own kernel instance (its own linear memory, freed with the object),
 * starts small and doubles its arrays in place when the kernel reports FULL, so memory follows
 * the semigroup's size, and stops with a clear error past `maxSize` instead of running out of memory.
 *
 * It is a runner in the style of libsemigroups: `run()`, `runFor(ms)`, `finished`, progress
 * callbacks; a stopped enumeration resumes where it was.
 */
import { compileKernel } from '../kernels/loader.js';
import { WasmArena, MAX_WASM_BYTES, align, type KernelExports } from '../kernels/arena.js';
import { wasmBase64 } from '../kernels/generated/semigroup.js';
import { checkGenerators, type GeneratorSource } from './generators.js';

interface SemigroupExports extends KernelExports {
  fpInit(st: number): number;
  fpRun(st: number, stopPos: number): number;
  fpRehash(st: number): void;
  fpFinish(st: number): void;
  fpFind(st: number, x: number): number;
}

const semigroupModule = await compileKernel('semigroup', wasmBase64);

/** Status codes of fpInit / fpRun. */
const DONE = 0;
const BUDGET = 1;
const FULL = 2;
const LIMIT = 3;

/** Field indices of the kernel's state block (u32 each; see the kernel header). */
const F = {
  N: 0, K: 1, STRIDE: 2, MODE: 3, CAPACITY: 4, COUNT: 5, MAXSIZE: 6, HASHBITS: 7,
  GENS: 8, GENPOS: 9, ELEMS: 10, RIGHT: 11, LEFT: 12, PREFIX: 13, SUFFIX: 14, FIRST: 15, FINAL: 16, HASH: 17,
  POS: 18, JNEXT: 19, LENSTART: 20, LENEND: 21, MAXLEN: 22, SCRATCH: 23, MULTIPLY_ALL: 26, IDXBITS: 27,
} as const;
const STATE_BYTES = 128;
const PRODUCTS_BYTE = 96;

/** Largest default element limit: enough for T_8 (16,777,216 elements, about 0.9 GB). */
export const DEFAULT_MAX_SIZE = 20_000_000;
/**
 * Memory the default limit allows an enumeration (2 GiB of its wasm32 memory, at most 4 GiB):
 * the default maxSize is the most elements whose arrays fit in it, so a large semigroup is
 * refused when it reaches that size, not after filling the machine (a random 200-state
 * automaton used to be refused only at 15 M elements and 3.9 GB).
 */
export const DEFAULT_MEMORY_BUDGET = 2 ** 31;
const INITIAL_CAPACITY = 1024;
/** Elements processed per kernel call: between progress reports and budget checks (small, so V8 tiers the kernel up early). */
const CHUNK = 1 << 14;

/** Thrown when the semigroup has more elements than `maxSize` allows. */
export class SemigroupSizeError extends Error {
  constructor(readonly maxSize: number, why = '') {
    super(`semigroup has more than ${maxSize} elements${why}; raise --max-size (option maxSize)`);
    this.name = 'SemigroupSizeError';
  }
}

/** Bytes of wasm memory the arrays of `size` elements take (degree n, k generators). */
export function enumerationBytes(size: number, degree: number, k: number): number {
  return regionLayout(size, k, layoutOf(degree).stride).total;
}

/** The default maxSize: the most elements (≤ DEFAULT_MAX_SIZE) whose arrays fit in `budget` bytes. */
export function defaultMaxSize(degree: number, k: number, budget = DEFAULT_MEMORY_BUDGET): number {
  if (enumerationBytes(DEFAULT_MAX_SIZE, degree, k) <= budget) return DEFAULT_MAX_SIZE;
  let lo = 1, hi = DEFAULT_MAX_SIZE;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (enumerationBytes(mid, degree, k) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface EnumerationProgress {
  /** Elements found so far. */
  readonly elements: number;
  /** Elements whose right products are known. */
  readonly processed: number;
  /** Length of the words being processed. */
  readonly wordLength: number;
}

export interface FroidurePinOptions {
  /** Stop with SemigroupSizeError past this many elements (default 20,000,000). */
  readonly maxSize?: number;
  /** Called every 2^18 processed elements and at the end. */
  readonly onProgress?: (p: EnumerationProgress) => void;
  /** Multiply every element by every generator instead of reading non-reduced products from the Cayley graphs. */
  readonly multiplyAll?: boolean;
}

/** The element layout of the kernel: 0 = u64 (n ≤ 8), 1 = v128 (n ≤ 16), 2 = bytes. */
function layoutOf(n: number): { mode: number; stride: number } {
  if (n <= 8) return { mode: 0, stride: 8 };
  if (n <= 16) return { mode: 1, stride: 16 };
  return { mode: 2, stride: align(n, 8) };
}

/** Byte offsets (relative to the region start) of the growable arrays for a capacity. */
function regionLayout(capacity: number, k: number, stride: number) {
  let off = 0;
  const take = (bytes: number) => {
    const at = off;
    off = align(off + bytes, 16);
    return at;
  };
  const hashBits = Math.max(4, Math.ceil(Math.log2(2 * capacity)));
  return {
    elems: take(capacity * stride),
    right: take(capacity * k * 4),
    left: take(capacity * k * 4),
    prefix: take(capacity * 4),
    suffix: take(capacity * 4),
    first: take(capacity * 2),
    final: take(capacity * 2),
    hash: take(4 * 2 ** hashBits),
    hashBits,
    total: off,
  };
}

/** The arrays an enumeration leaves behind (views into its kernel instance's memory). */
export interface EnumerationResult {
  readonly degree: number;
  readonly generators: number[][];
  readonly size: number;
  readonly stride: number;
  /** size·stride bytes: element i is bytes [i·stride, i·stride + degree). */
  readonly elements: Uint8Array;
  /** size·k: right[i·k + a] = index of i·a (word of i, then letter a). */
  readonly right: Uint32Array;
  /** size·k: left[i·k + a] = index of a·i. */
  readonly left: Uint32Array;
  /** Index of the element of word(i) without its last letter (0xFFFFFFFF for length 1). */
  readonly prefix: Uint32Array;
  readonly suffix: Uint32Array;
  readonly first: Uint16Array;
  readonly final: Uint16Array;
  /** Element index of each generator (equal generators share one). */
  readonly generatorIndex: Uint32Array;
  readonly maxWordLength: number;
  /** Products actually computed (the rest were read from the Cayley graphs). */
  readonly products: number;
  /** Bytes of wasm memory held. */
  readonly memoryBytes: number;
  /** Index of a transformation (given as `degree` points), or -1 when it is not an element. */
  find(t: readonly number[]): number;
}

/** A resumable Froidure–Pin enumeration. */
export class FroidurePin {
  readonly degree: number;
  readonly generators: number[][];
  readonly maxSize: number;
  private readonly k: number;
  private readonly mode: number;
  private readonly stride: number;
  private readonly exports: SemigroupExports;
  private readonly arena: WasmArena;
  private readonly st: number;
  private readonly region: number;
  private readonly onProgress?: (p: EnumerationProgress) => void;
  private capacity: number;
  private readonly sizeNote: string;
  private done = false;
  private result?: EnumerationResult;

  constructor(source: GeneratorSource, options: FroidurePinOptions = {}) {
    const { generators, degree } = checkGenerators(source);
    const maxSize = options.maxSize ?? defaultMaxSize(degree, generators.length);
    this.sizeNote = options.maxSize === undefined && maxSize < DEFAULT_MAX_SIZE ? ` (the default limit for degree ${degree} with ${generators.length} generators: ${(enumerationBytes(maxSize, degree, generators.length) / 2 ** 30).toFixed(2)} GiB of the ${DEFAULT_MEMORY_BUDGET / 2 ** 30} GiB budget)` : '';
    if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > 0x7fffffff) {
      throw new RangeError(`maxSize must be an integer in [1, 2^31 - 1], got ${maxSize}`);
    }
    this.degree = degree;
    this.generators = generators;
    this.maxSize = maxSize;
    this.onProgress = options.onProgress;
    this.k = generators.length;
    ({ mode: this.mode, stride: this.stride } = layoutOf(degree));

    // One instance per enumeration: its memory is this semigroup's and goes away with it.
    // (Synchronous instantiation is allowed everywhere for a module this small, < 4 KB.)
    const instance = new WebAssembly.Instance(semigroupModule, {});
    this.exports = instance.exports as unknown as SemigroupExports;
    this.arena = new WasmArena(this.exports);
    const { arena, k, stride } = this;

    this.st = arena.alloc(STATE_BYTES);
    const gens = arena.alloc(k * stride);
    const genPos = arena.alloc(k * 4);
    const scratch = arena.alloc(stride);
    this.region = arena.mark();
    this.capacity = Math.min(maxSize, Math.max(INITIAL_CAPACITY, k));
    const lay = regionLayout(this.capacity, k, stride);
    this.allocate(lay.total);

    const g = arena.u8(gens, k * stride);
    generators.forEach((t, a) => {
      for (let q = 0; q < stride; q++) g[a * stride + q] = q < degree ? t[q] : q;
    });
    const s = arena.u32(this.st, STATE_BYTES / 4);
    s[F.N] = degree;
    s[F.K] = k;
    s[F.STRIDE] = stride;
    s[F.MODE] = this.mode;
    s[F.MAXSIZE] = maxSize;
    s[F.GENS] = gens;
    s[F.GENPOS] = genPos;
    s[F.SCRATCH] = scratch;
    s[F.MULTIPLY_ALL] = (options.multiplyAll ?? false) ? 1 : 0;
    this.setRegion(lay);
    if (this.exports.fpInit(this.st) === LIMIT) throw new SemigroupSizeError(maxSize, this.sizeNote);
  }

  /** Elements found so far. */
  get size(): number {
    return this.state()[F.COUNT];
  }

  get finished(): boolean {
    return this.done;
  }

  /** Runs to the end (or `budget` more processed elements) and returns whether it finished. */
  run(budget = Infinity): boolean {
    if (this.done) return true;
    let left = budget;
    while (!this.done && left > 0) {
      const s = this.state();
      const step = Math.min(CHUNK, left);
      const stopPos = Math.min(0xffffffff, s[F.POS] + step);
      this.step(stopPos);
      left -= step;
    }
    return this.done;
  }

  /** Runs for about `ms` milliseconds; returns whether it finished. */
  runFor(ms: number): boolean {
    const until = Date.now() + ms;
    while (!this.done && Date.now() < until) this.run(CHUNK);
    return this.done;
  }

  /** The finished enumeration (runs it to the end first). */
  finish(): EnumerationResult {
    this.run();
    return this.result!;
  }

  private state(): Uint32Array {
    return this.arena.u32(this.st, STATE_BYTES / 4);
  }

  private step(stopPos: number): void {
    for (;;) {
      const status = this.exports.fpRun(this.st, stopPos);
      if (status === FULL) {
        this.grow();
        continue;
      }
      if (status === LIMIT) throw new SemigroupSizeError(this.maxSize, this.sizeNote);
      const s = this.state();
      this.onProgress?.({ elements: s[F.COUNT], processed: s[F.POS], wordLength: s[F.MAXLEN] });
      if (status === DONE) this.complete();
      else if (status !== BUDGET) throw new Error(`semigroup kernel returned unknown status ${status}`);
      return;
    }
  }

  private allocate(bytes: number): void {
    const need = this.region + bytes;
    if (need > MAX_WASM_BYTES) {
      throw new RangeError(
        `semigroup of degree ${this.degree}: ${this.capacity} elements need ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory, above the 4 GiB of wasm32; lower --max-size (option maxSize)`,
      );
    }
    const extra = need - this.arena.mark();
    if (extra <= 0) return;
    try {
      this.arena.alloc(extra, 1);
    } catch (e) {
      throw new RangeError(`semigroup enumeration could not get ${(need / 2 ** 20).toFixed(0)} MiB of wasm memory (${(e as Error).message}); lower --max-size (option maxSize)`);
    }
  }

  private setRegion(lay: ReturnType<typeof regionLayout>): void {
    const s = this.state();
    const r = this.region;
    s[F.CAPACITY] = this.capacity;
    s[F.ELEMS] = r + lay.elems;
    s[F.RIGHT] = r + lay.right;
    s[F.LEFT] = r + lay.left;
    s[F.PREFIX] = r + lay.prefix;
    s[F.SUFFIX] = r + lay.suffix;
    s[F.FIRST] = r + lay.first;
    s[F.FINAL] = r + lay.final;
    s[F.HASH] = r + lay.hash;
    s[F.HASHBITS] = lay.hashBits;
    s[F.IDXBITS] = Math.max(1, Math.ceil(Math.log2(this.capacity + 1)));
  }

  /** Doubles the capacity: the arrays move up in place (last first, so nothing is overwritten), then the hash table is rebuilt. */
  private grow(): void {
    const { k, stride } = this;
    const count = this.size;
    const old = regionLayout(this.capacity, k, stride);
    this.capacity = Math.min(this.maxSize, this.capacity * 2);
    const lay = regionLayout(this.capacity, k, stride);
    this.allocate(lay.total);
    const mem = new Uint8Array(this.arena.memory.buffer);
    const r = this.region;
    const moves: [number, number, number][] = [
      [old.elems, lay.elems, count * stride],
      [old.right, lay.right, count * k * 4],
      [old.left, lay.left, count * k * 4],
      [old.prefix, lay.prefix, count * 4],
      [old.suffix, lay.suffix, count * 4],
      [old.first, lay.first, count * 2],
      [old.final, lay.final, count * 2],
    ];
    for (let m = moves.length - 1; m >= 0; m--) {
      const [from, to, bytes] = moves[m];
      if (from !== to) mem.copyWithin(r + to, r + from, r + from + bytes);
    }
    this.setRegion(lay);
    this.exports.fpRehash(this.st);
  }

  private complete(): void {
    this.exports.fpFinish(this.st);
    this.done = true;
    const s = this.state();
    const { arena, k, stride, degree, exports, st } = this;
    const size = s[F.COUNT];
    const scratch = s[F.SCRATCH];
    const products = Number(new BigUint64Array(arena.memory.buffer, st + PRODUCTS_BYTE, 1)[0]);
    // Memory no longer grows, so these views stay valid.
    this.result = {
      degree,
      generators: this.generators,
      size,
      stride,
      elements: arena.u8(s[F.ELEMS], size * stride),
      right: arena.u32(s[F.RIGHT], size * k),
      left: arena.u32(s[F.LEFT], size * k),
      prefix: arena.u32(s[F.PREFIX], size),
      suffix: arena.u32(s[F.SUFFIX], size),
      first: arena.u16(s[F.FIRST], size),
      final: arena.u16(s[F.FINAL], size),
      generatorIndex: arena.u32(s[F.GENPOS], k),
      maxWordLength: s[F.MAXLEN],
      products,
      memoryBytes: arena.memory.buffer.byteLength,
      find(t: readonly number[]): number {
        if (t.length !== degree) return -1;
        const x = arena.u8(scratch, stride);
        for (let q = 0; q < degree; q++) {
          const v = t[q];
          if (!Number.isInteger(v) || v < 0 || v >= degree) return -1;
          x[q] = v;
        }
        for (let q = degree; q < stride; q++) x[q] = q; // identity padding, as stored
        return exports.fpFind(st, scratch);
      },
    };
  }
}
