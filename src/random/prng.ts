/**
 * Seeded randomness, bit-identical in Node and browsers: xoshiro128** on 32-bit integer ops
 * (Math.imul, >>>), seeded through splitmix32 so that any integer seed gives a well-mixed state.
 * Continuous draws (normal, gamma) use ./detmath.js rather than Math.log and Math.cos, whose last
 * bits differ between engines. Every random thing in testbeds takes a seed and draws from an Rng.
 */
import { cosTurns, exp, log } from './detmath.js';

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number = 0) {
    if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
    let s = (Math.trunc(seed) ^ Math.trunc(seed / 4294967296)) >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform integer in [0, n), unbiased (Lemire's multiply-and-reject), for 1 <= n <= 2^32. */
  nextInt(n: number): number {
    if (!(n >= 1 && n <= 4294967296 && Number.isInteger(n))) throw new RangeError(`nextInt: n must be an integer in [1, 2^32], got ${n}`);
    if (n === 4294967296) return this.nextU32();
    const threshold = (4294967296 - n) % n;
    for (;;) {
      // 64-bit product x*n split in exact doubles: x = xh*2^16 + xl.
      const x = this.nextU32();
      const p0 = (x & 0xffff) * n;
      const p1 = (x >>> 16) * n;
      const mid = (p1 % 65536) * 65536 + p0;
      const lo = mid % 4294967296;
      if (lo >= threshold) return Math.floor(p1 / 65536) + Math.floor(mid / 4294967296);
    }
  }

  /** Standard normal (Box–Muller, one value per call). */
  nextNormal(): number {
    let u = 0;
    while (u === 0) u = this.nextFloat();
    const v = this.nextFloat();
    return Math.sqrt(-2 * log(u)) * cosTurns(v);
  }

  /** Gamma(shape, 1) by Marsaglia–Tsang (shape > 0). */
  nextGamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`nextGamma: shape must be > 0, got ${shape}`);
    if (shape < 1) return this.nextGamma(shape + 1) * exp(log(this.nextFloat() || Number.MIN_VALUE) / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.nextNormal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.nextFloat();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (log(u) < 0.5 * x * x + d * (1 - v + log(v))) return d * v;
    }
  }

  /** A derived generator for an independent stream (e.g. per worker or per run). */
  fork(stream: number): Rng {
    return new Rng((this.nextU32() ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
