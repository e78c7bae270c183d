/** The `simulate` wasm module (assembly/simulate/index.ts), loaded once per process/thread. */
import { loadKernel } from '../kernels/kernel.js';
import type { KernelExports } from '../kernels/arena.js';
import { wasmBase64 } from '../kernels/generated/simulate.js';

/** Pointer-based exports; `<name>_<S><L>`: S = state type, L = letter type (u8 or u16). */
type Width = 'u8u8' | 'u8u16' | 'u16u8' | 'u16u16';
type Seq = (delta: number, stride: number, letters: number, T: number, start: number, out: number) => number;
type Tree = (delta: number, n: number, stride: number, letters: number, T: number, start: number, maps: number, scratch: number, out: number) => number;
type Reduce = (delta: number, n: number, stride: number, letters: number, len: number, count: number, last: number, maps: number) => void;
type Replay = (delta: number, stride: number, letters: number, len: number, count: number, last: number, starts: number, out: number) => void;
type BatchScalar = (delta: number, stride: number, letters: number, T: number, B: number, b0: number, starts: number, out: number) => void;

export type SimulateExports = KernelExports & {
  [K in `sequential_${Width}`]: Seq } & {
  [K in `hillisSteele_${Width}`]: Tree } & {
  [K in `brentKung_${Width}`]: Tree } & {
  [K in `reduceChunks_${Width}`]: Reduce } & {
  [K in `replayChunks_${Width}`]: Replay } & {
  [K in `batchScalar_${Width}`]: BatchScalar } & {
  [K in `chunkElements_${Width}`]: (cayley: number, size: number, letters: number, len: number, count: number, last: number, finals: number) => void } & {
  sequentialU8(deltaPtr: number, n: number, lettersPtr: number, T: number, start: number, outPtr: number): number;
  chunkStarts(maps: number, stride: number, wide: number, count: number, start: number, starts: number): number;
  batchPacked(table: number, shift: number, letters: number, T: number, B: number, starts: number, out: number, maxPtr: number): number;
  batchSimd(delta: number, k: number, letters: number, T: number, B: number, starts: number, out: number, maxPtr: number): number;
  maxLetterU8(p: number, T: number): number;
  maxLetterU16(p: number, T: number): number;
  firstAtLeastU8(p: number, T: number, k: number): number;
  firstAtLeastU16(p: number, T: number, k: number): number;
  reduceChunksBlocked(delta: number, blockMaps: number, b: number, mul: number, letters: number, len: number, count: number, last: number, maps: number): void;
  replayChunksBlocked(delta: number, blockStates: number, b: number, mul: number, letters: number, len: number, count: number, last: number, starts: number, out: number): void;
  copyBytes(dst: number, src: number, n: number): void;
  warmUp(mem: number): void;
  WARMUP_BYTES: WebAssembly.Global;
};
export type { Width };

export const simulateKernel = await loadKernel<SimulateExports>('simulate', wasmBase64);
warmUp(simulateKernel.exports, simulateKernel.arena);

/** Runs the hot loops once on scratch memory so the first long call runs optimized code. */
function warmUp(k: SimulateExports, arena: typeof simulateKernel.arena): void {
  const mark = arena.mark();
  try {
    const bytes = k.WARMUP_BYTES.value as number;
    const p = arena.alloc(bytes);
    arena.u8(p, bytes).fill(0);
    k.warmUp(p);
  } finally {
    arena.reset(mark);
  }
}
