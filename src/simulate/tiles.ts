/**
 * One phase of the chunked scan over a range of chunks, tile by tile: the letters of a few
 * chunks are copied into a small buffer in wasm memory (it stays in cache), checked, and reduced
 * (phase 1) or replayed into a small states buffer that is then copied out (phase 3). Memory
 * traffic is then close to the minimum (letters read once per phase, states written once) and
 * wasm memory holds tiles, not the whole sequence. Used on the main thread and, sent as source,
 * inside every worker: it must not reference anything outside itself.
 */
export interface TilePlan {
  /** Kernel suffix: u8u8, u8u16, u16u8, u16u16. */
  width: string;
  /** Word tables of the blocked kernels (pointers), or b = 0 for the plain kernels. */
  b: number;
  mul: number;
  blockMaps: number;
  blockStates: number;
  delta: number;
  n: number;
  stride: number;
  ssize: number;
  lsize: number;
  /** Phase 1 through the transformation monoid (|Q| > 16, small monoid): Cayley table pointer,
   *  number of elements, kernel suffix (id type + letter type); maps then holds one i32 element id
   *  per chunk. cayley = 0: plain map compositions. */
  cayley: number;
  monoidSize: number;
  monoidWidth: string;
  /** |Σ|: letters must be below it. */
  k: number;
  /** Chunks in this range, their length, and the length of the range's last chunk. */
  len: number;
  count: number;
  last: number;
  /** maps: count maps of stride·ssize bytes; starts: count (+1) i32 start states. */
  maps: number;
  starts: number;
  /** Buffers of tileChunks·len letters (+4 bytes) and states. */
  tileChunks: number;
  tile: number;
  outTile: number;
}

/** Runs phase 'reduce' or 'replay' on `src` (the range's letter bytes); `dst` receives state bytes.
 *  Returns null, or the first letter outside the alphabet as { at, value } (reduce only). */
export function scanTiles(ex: any, plan: TilePlan, phase: 'reduce' | 'replay', src: Uint8Array, dst: Uint8Array | null): { at: number; value: number } | null {
  const p = plan;
  const mapBytes = p.stride * p.ssize;
  for (let c0 = 0; c0 < p.count; c0 += p.tileChunks) {
    const cnt = Math.min(p.tileChunks, p.count - c0);
    const isLast = c0 + cnt === p.count;
    const lastLen = isLast ? p.last : p.len;
    const steps = (cnt - 1) * p.len + lastLen;
    const first = c0 * p.len;
    new Uint8Array(ex.memory.buffer, p.tile, steps * p.lsize).set(src.subarray(first * p.lsize, (first + steps) * p.lsize));
    if (phase === 'reduce') {
      if (p.k < (p.lsize === 1 ? 256 : 65536)) {
        const max = p.lsize === 1 ? ex.maxLetterU8(p.tile, steps) : ex.maxLetterU16(p.tile, steps);
        if (max >= p.k) {
          const at = p.lsize === 1 ? ex.firstAtLeastU8(p.tile, steps, p.k) : ex.firstAtLeastU16(p.tile, steps, p.k);
          const value = p.lsize === 1 ? new Uint8Array(ex.memory.buffer, p.tile, steps)[at] : new Uint16Array(ex.memory.buffer, p.tile, steps)[at];
          return { at: first + at, value };
        }
      }
      if (p.cayley) {
        ex['chunkElements_' + p.monoidWidth](p.cayley, p.monoidSize, p.tile, p.len, cnt, lastLen, p.maps + 4 * c0);
        continue;
      }
      const maps = p.maps + c0 * mapBytes;
      if (p.b) ex.reduceChunksBlocked(p.delta, p.blockMaps, p.b, p.mul, p.tile, p.len, cnt, lastLen, maps);
      else ex['reduceChunks_' + p.width](p.delta, p.n, p.stride, p.tile, p.len, cnt, lastLen, maps);
    } else {
      const starts = p.starts + 4 * c0;
      if (p.b) ex.replayChunksBlocked(p.delta, p.blockStates, p.b, p.mul, p.tile, p.len, cnt, lastLen, starts, p.outTile);
      else ex['replayChunks_' + p.width](p.delta, p.stride, p.tile, p.len, cnt, lastLen, starts, p.outTile);
      dst!.set(new Uint8Array(ex.memory.buffer, p.outTile, steps * p.ssize), first * p.ssize);
    }
  }
  return null;
}

/** Chunks per tile: about `bytes` of letters, a multiple of 8 (the kernels interleave 8 chunks). */
export function tileChunksFor(len: number, lsize: number, bytes = 1 << 18): number {
  return Math.max(8, Math.floor(bytes / (len * lsize) / 8) * 8);
}
