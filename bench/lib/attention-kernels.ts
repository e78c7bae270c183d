/**
 * The attention kernel module (assembly/attention) on its own memory, outside tfjs: runs the blocked
 * kernels and the row-at-a-time reference on the same inputs, so tests can compare their bits
 * (test/learning/ops_attention_blocked.test.ts) and bench/attention.ts can time them in one run.
 *
 * Layouts (the two the tfjs kernels use, src/learning/ops/attention_kernels.ts):
 *   'bhtd'   input = q | k | v, each [B, H, T, hs]; out, dO [B, H, T, hs]; dInput = dq | dk | dv;
 *   'packed' input = qkv [B, T, 3d] (d = H·hs); out, dO [B, T, d]; dInput = dqkv [B, T, 3d].
 * stats: [B, H, T, 2] (row max, 1/Σexp).
 */
import { loadKernel, type Kernel } from '../../src/kernels/kernel.js';
import type { KernelExports } from '../../src/kernels/arena.js';
import { wasmBase64 } from '../../src/kernels/generated/attention.js';
import type { AttentionExports } from '../../src/learning/ops/attention_kernels.js';

export type AttentionLayout = 'bhtd' | 'packed';
export type AttentionImpl = 'blocked' | 'reference';
export type AttentionKernel = Kernel<AttentionExports & KernelExports>;

export interface AttentionProblem {
  B: number;
  H: number;
  T: number;
  hs: number;
  layout: AttentionLayout;
  /** 3·B·H·T·hs floats in `layout` (see the header). */
  input: Float32Array;
  /** B·H·T·hs floats: the gradient of the output. */
  dO: Float32Array;
}

export interface AttentionOutputs {
  out: Float32Array;
  stats: Float32Array;
  dInput: Float32Array;
}

let kernel: Promise<AttentionKernel> | undefined;

const CANARY_BYTES = 64;

/** One instance per process, with its own memory (not tfjs'). */
export function attentionKernel(): Promise<AttentionKernel> {
  return (kernel ??= loadKernel<AttentionExports & KernelExports>('attention', wasmBase64));
}

/**
 * Inputs, outputs and scratch of one problem in the kernel's memory; `forward(impl)` and
 * `backward(impl)` run the kernel in place (the backward reads the stats the last forward wrote).
 * `dispose()` gives the memory back (arena reset).
 */
export class AttentionRunner {
  private readonly mark: number;
  private readonly ptr: { input: number; dO: number; out: number; stats: number; dInput: number; scratch: number; canary: number };
  private readonly scratchBytes: { forward: number; backward: number; both: number };
  private readonly n: number;
  private readonly strides: [number, number, number, number, number, number];
  private readonly qkv: [number, number, number];
  private readonly scale: number;

  constructor(private readonly k: AttentionKernel, readonly p: AttentionProblem) {
    const { B, H, T, hs, layout } = p;
    for (const [name, v] of Object.entries({ B, H, T, hs })) if (!Number.isInteger(v) || v < 1) throw new RangeError(`AttentionRunner: ${name} must be a positive integer, got ${v}`);
    if (hs % 4 !== 0) throw new RangeError(`AttentionRunner: hs must be a multiple of 4, got ${hs}`);
    this.n = B * H * T * hs;
    if (p.input.length !== 3 * this.n) throw new RangeError(`AttentionRunner: input has ${p.input.length} floats, expected ${3 * this.n}`);
    if (p.dO.length !== this.n) throw new RangeError(`AttentionRunner: dO has ${p.dO.length} floats, expected ${this.n}`);
    const d = H * hs;
    this.strides = layout === 'bhtd' ? [H * T * hs, T * hs, hs, H * T * hs, T * hs, hs] : [3 * d * T, hs, 3 * d, d * T, hs, d];
    this.qkv = layout === 'bhtd' ? [0, 4 * this.n, 8 * this.n] : [0, 4 * d, 8 * d];
    this.scale = 1 / Math.sqrt(hs);
    const a = k.arena;
    this.mark = a.mark();
    const forward = k.exports.forwardScratchBytes(T, hs), backward = k.exports.backwardScratchBytes(T, hs);
    this.scratchBytes = { forward, backward, both: Math.max(forward, backward) };
    // Each call's scratch ends where the canary starts, so a kernel writing past its stated size shows.
    this.ptr = {
      input: a.alloc(12 * this.n), dO: a.alloc(4 * this.n), out: a.alloc(4 * this.n),
      stats: a.alloc(8 * B * H * T), dInput: a.alloc(12 * this.n), scratch: a.alloc(this.scratchBytes.both, 16), canary: 0,
    };
    this.ptr.canary = a.alloc(CANARY_BYTES, 1);
    if (this.ptr.canary !== this.ptr.scratch + this.scratchBytes.both) throw new Error('AttentionRunner: the canary does not follow the scratch');
    new Uint8Array(k.arena.memory.buffer, this.ptr.canary, CANARY_BYTES).fill(0xa5);
    this.f32(this.ptr.input, 3 * this.n).set(p.input);
    this.f32(this.ptr.dO, this.n).set(p.dO);
  }

  private f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.k.arena.memory.buffer, ptr, n);
  }

  /** Sets every output word (out, stats, dInput) to `bits`, so an element a kernel never writes shows. */
  fillOutputs(bits: number): void {
    const { B, H, T } = this.p;
    for (const [ptr, n] of [[this.ptr.out, this.n], [this.ptr.stats, 2 * B * H * T], [this.ptr.dInput, 3 * this.n]]) {
      new Uint32Array(this.k.arena.memory.buffer, ptr, n).fill(bits);
    }
  }

  /** True when a kernel wrote past the scratch size it states (forwardScratchBytes/backwardScratchBytes). */
  scratchOverrun(): boolean {
    return new Uint8Array(this.k.arena.memory.buffer, this.ptr.canary, CANARY_BYTES).some((b) => b !== 0xa5);
  }

  forward(impl: AttentionImpl): void {
    const { B, H, T, hs } = this.p;
    const [q, k, v] = this.qkv.map((o) => this.ptr.input + o);
    const f = impl === 'blocked' ? this.k.exports.attentionForward : this.k.exports.attentionForwardReference;
    const scratch = this.ptr.scratch + this.scratchBytes.both - this.scratchBytes.forward;
    f(q, k, v, this.ptr.out, this.ptr.stats, B, H, T, hs, ...this.strides, this.scale, scratch);
  }

  backward(impl: AttentionImpl): void {
    const { B, H, T, hs } = this.p;
    const [q, k, v] = this.qkv.map((o) => this.ptr.input + o);
    const [dq, dk, dv] = this.qkv.map((o) => this.ptr.dInput + o);
    const f = impl === 'blocked' ? this.k.exports.attentionBackward : this.k.exports.attentionBackwardReference;
    const scratch = this.ptr.scratch + this.scratchBytes.both - this.scratchBytes.backward;
    f(q, k, v, this.ptr.dO, this.ptr.stats, dq, dk, dv, B, H, T, hs, ...this.strides, this.scale, scratch);
  }

  /** Copies of the outputs. */
  outputs(): AttentionOutputs {
    const { B, H, T } = this.p;
    return { out: this.f32(this.ptr.out, this.n).slice(), stats: this.f32(this.ptr.stats, 2 * B * H * T).slice(), dInput: this.f32(this.ptr.dInput, 3 * this.n).slice() };
  }

  dispose(): void {
    this.k.arena.reset(this.mark);
  }
}

/** Floating-point operations of one forward and one backward (multiply and add counted apart; causal: T(T+1)/2 pairs). */
export function attentionFlops(B: number, H: number, T: number, hs: number): { forward: number; backward: number } {
  const pairs = B * H * (T * (T + 1)) / 2;
  // forward: q·k and p·v per pair; backward: q·k again, dO·v, ds·k (dq), ds·q (dk), p·dO (dv).
  return { forward: 2 * 2 * hs * pairs, backward: 5 * 2 * hs * pairs };
}
