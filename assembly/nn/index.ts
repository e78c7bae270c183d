// Fused elementwise/row kernels for training on tfjs-wasm: LayerNorm, GELU (tanh form) and the
// bias gradient (column sums), forward and backward, SIMD f32x4.
//
// Memory layout (TypeScript passes tfjs tensor offsets; see src/learning/ops/nn_kernels.ts):
//   x, y, dy, dx : N rows of d f32, row-major; d a multiple of 4 for layerNorm*, any n for gelu*
//                  (a scalar tail handles n % 4).
//   g, b, dg, db : d f32 (LayerNorm gain and bias and their gradients).
//   stats        : N pairs of f32 (mean, 1/sqrt(var + eps)) per row, written by the forward.
// No data segment and no static writes: the module runs on tfjs-wasm's own memory
// (src/learning/ops/tfjs_heap.ts) and touches only the pointers it is given.
export { heapBase } from '../common/memory';
export { gemm, gemmScratchBytes, simdPeakMulAdd, simdPeakAccumulate } from './gemm';
export { sumSquares, adamwUpdate } from './optim';
export { gatherRows, segmentSumRows } from './gather';
export { addSame, addRows } from './add';
import { exp4, exp4p, splat } from '../common/f32x4-math';

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}


// e^{2u} with u clamped to ±40 (finite and nonzero in f32; tanh is ±1 and sech² ~1e-35 there).
// The kernels clamp by pmin/pmax (one instruction each; f32x4.min/max take ~7 on x64 for their NaN
// and ±0 rules): with non-zero constant bounds they give min/max's result for every non-NaN lane.
// `minmax` (a constant at every call, so folded away) selects the first version, f32x4.min/max and
// exp4, for geluForwardReference/geluBackwardReference: the bit-for-bit reference of the tests (a
// NaN input gives NaN in both, its sign and payload may differ).
// @ts-ignore: decorator
@inline function exp2u(u: v128, minmax: bool): v128 {
  if (minmax) {
    const c = f32x4.min(f32x4.max(u, splat(-40)), splat(40));
    return exp4(f32x4.add(c, c));
  }
  const c = f32x4.pmin(f32x4.pmax(u, splat(-40)), splat(40));
  return exp4p(f32x4.add(c, c));
}

// tanh(u) = (e − 1)/(e + 1), e = e^{2u}.
// @ts-ignore: decorator
@inline function tanhFromE(e: v128): v128 {
  return f32x4.div(f32x4.sub(e, splat(1)), f32x4.add(e, splat(1)));
}

// sech²(u) = 4/(e + 2 + 1/e): no cancellation (1 − tanh² loses everything for |u| ≳ 9).
// @ts-ignore: decorator
@inline function sech2FromE(e: v128): v128 {
  return f32x4.div(splat(4), f32x4.add(f32x4.add(e, splat(2)), f32x4.div(splat(1), e)));
}

const K0: f32 = 0.7978845608028654; // sqrt(2/pi)
const K1: f32 = 0.044715;

// GELU and its derivative on four lanes (the scalar tails use lane 0, so no Mathf tables are
// linked: Mathf.tanh/cosh would bring a data segment, which tfjs_heap.ts refuses).
// @ts-ignore: decorator
@inline function gelu4(xv: v128, minmax: bool = false): v128 {
  const u = f32x4.mul(splat(K0), f32x4.add(xv, f32x4.mul(splat(K1), f32x4.mul(xv, f32x4.mul(xv, xv)))));
  return f32x4.mul(f32x4.mul(splat(0.5), xv), f32x4.add(splat(1), tanhFromE(exp2u(u, minmax))));
}

// @ts-ignore: decorator
@inline function geluGrad4(xv: v128, minmax: bool = false): v128 {
  const x2 = f32x4.mul(xv, xv);
  const e = exp2u(f32x4.mul(splat(K0), f32x4.add(xv, f32x4.mul(splat(K1), f32x4.mul(xv, x2)))), minmax);
  const left = f32x4.mul(splat(0.5), f32x4.add(splat(1), tanhFromE(e)));
  const right = f32x4.mul(f32x4.mul(f32x4.mul(splat(0.5), xv), sech2FromE(e)), f32x4.mul(splat(K0), f32x4.add(splat(1), f32x4.mul(splat(3 * K1), x2))));
  return f32x4.add(left, right);
}

// The GELU loops take eight vectors per step: each vector is one long dependent chain (polynomial,
// then a division), and eight independent chains in the loop body keep the FP pipes busy where
// one per step left them waiting (1.5-1.8x; the same operations per element, so the same bits).

/** y = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) over n floats. */
export function geluForward(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 32 <= n; i += 32) {
    const p = x + <usize>i * 4, q = y + <usize>i * 4;
    const a = gelu4(v128.load(p)), b = gelu4(v128.load(p, 16)), c = gelu4(v128.load(p, 32)), d = gelu4(v128.load(p, 48));
    const a2 = gelu4(v128.load(p, 64)), b2 = gelu4(v128.load(p, 80)), c2 = gelu4(v128.load(p, 96)), d2 = gelu4(v128.load(p, 112));
    v128.store(q, a);
    v128.store(q, b, 16);
    v128.store(q, c, 32);
    v128.store(q, d, 48);
    v128.store(q, a2, 64);
    v128.store(q, b2, 80);
    v128.store(q, c2, 96);
    v128.store(q, d2, 112);
  }
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, gelu4(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) store<f32>(y + <usize>i * 4, f32x4.extract_lane(gelu4(splat(load<f32>(x + <usize>i * 4))), 0));
}

/** dx = dy · gelu'(x) over n floats. */
export function geluBackward(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 32 <= n; i += 32) {
    const o = <usize>i * 4;
    const a = geluGrad4(v128.load(x + o)), b = geluGrad4(v128.load(x + o, 16)), c = geluGrad4(v128.load(x + o, 32)), d = geluGrad4(v128.load(x + o, 48));
    const a2 = geluGrad4(v128.load(x + o, 64)), b2 = geluGrad4(v128.load(x + o, 80)), c2 = geluGrad4(v128.load(x + o, 96)), d2 = geluGrad4(v128.load(x + o, 112));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), a));
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 16), b), 16);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 32), c), 32);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 48), d), 48);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 64), a2), 64);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 80), b2), 80);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 96), c2), 96);
    v128.store(dx + o, f32x4.mul(v128.load(dy + o, 112), d2), 112);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), geluGrad4(v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(geluGrad4(splat(load<f32>(x + o))), 0));
  }
}

/** geluForward as first written (one vector per step, min/max clamps): the tests' reference. */
export function geluForwardReference(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, gelu4(v128.load(x + <usize>i * 4), true));
  for (; i < n; i++) store<f32>(y + <usize>i * 4, f32x4.extract_lane(gelu4(splat(load<f32>(x + <usize>i * 4)), true), 0));
}

/** geluBackward as first written: the tests' reference. */
export function geluBackwardReference(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), geluGrad4(v128.load(x + o), true)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(geluGrad4(splat(load<f32>(x + o)), true), 0));
  }
}

/** y = (x − mean)/sqrt(var + eps)·g + b per row of d (d % 4 = 0); writes (mean, rstd) per row. */
export function layerNormForward(x: usize, g: usize, b: usize, y: usize, stats: usize, N: i32, d: i32, eps: f32): void {
  const invD: f32 = 1 / <f32>d;
  for (let r = 0; r < N; r++) {
    const row = x + <usize>(r * d) * 4;
    let s = f32x4.splat(0);
    for (let c = 0; c < d; c += 4) s = f32x4.add(s, v128.load(row + <usize>c * 4));
    const mean = hsum(s) * invD;
    const mv = splat(mean);
    let s2 = f32x4.splat(0);
    for (let c = 0; c < d; c += 4) {
      const z = f32x4.sub(v128.load(row + <usize>c * 4), mv);
      s2 = f32x4.add(s2, f32x4.mul(z, z));
    }
    const rstd: f32 = 1 / Mathf.sqrt(hsum(s2) * invD + eps);
    const rv = splat(rstd);
    const out = y + <usize>(r * d) * 4;
    for (let c = 0; c < d; c += 4) {
      const o = <usize>c * 4;
      const xhat = f32x4.mul(f32x4.sub(v128.load(row + o), mv), rv);
      v128.store(out + o, f32x4.add(f32x4.mul(xhat, v128.load(g + o)), v128.load(b + o)));
    }
    store<f32>(stats + <usize>r * 8, mean);
    store<f32>(stats + <usize>r * 8, rstd, 4);
  }
}

/**
 * LayerNorm backward: dx = rstd·(dy·g − mean(dy·g) − x̂·mean(dy·g·x̂)), dg = Σ_rows dy·x̂,
 * db = Σ_rows dy (dg, db overwritten). One pass over the rows (the one-thread path).
 */
export function layerNormBackward(x: usize, g: usize, stats: usize, dy: usize, dx: usize, dg: usize, db: usize, N: i32, d: i32): void {
  memory.fill(dg, 0, <usize>d * 4);
  memory.fill(db, 0, <usize>d * 4);
  layerNormBackwardPass(x, g, stats, dy, dx, dg, db, N, d, true);
}

/**
 * One thread's part of layerNormBackward: dx for rows [r0, r1), and, when `params` is non-zero,
 * dg and db over ALL N rows (threads split dx's rows and one of them also sums dg and db, so every
 * sum keeps layerNormBackward's order: rows ascending from +0). Per element the same operations.
 */
export function layerNormBackwardPart(x: usize, g: usize, stats: usize, dy: usize, dx: usize, dg: usize, db: usize, N: i32, d: i32, r0: i32, r1: i32, params: i32): void {
  if (params != 0) layerNormParamGrads(x, stats, dy, dg, db, N, d);
  const o = <usize>(r0 * d) * 4;
  layerNormBackwardPass(x + o, g, stats + <usize>r0 * 8, dy + o, dx + o, 0, 0, r1 - r0, d, false);
}

// The row loop of both: `params` (a constant at each call, so folded away) adds dy·x̂ and dy into
// dg and db as it goes, rows ascending from the zeroed sums.
// @ts-ignore: decorator
@inline function layerNormBackwardPass(x: usize, g: usize, stats: usize, dy: usize, dx: usize, dg: usize, db: usize, N: i32, d: i32, params: bool): void {
  const invD: f32 = 1 / <f32>d;
  for (let r = 0; r < N; r++) {
    const xr = x + <usize>(r * d) * 4;
    const dyr = dy + <usize>(r * d) * 4;
    const dxr = dx + <usize>(r * d) * 4;
    const mv = splat(load<f32>(stats + <usize>r * 8));
    const rstd = load<f32>(stats + <usize>r * 8, 4);
    const rv = splat(rstd);
    let a = f32x4.splat(0); // Σ dy·g
    let bsum = f32x4.splat(0); // Σ dy·g·x̂
    for (let c = 0; c < d; c += 4) {
      const o = <usize>c * 4;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      const dyv = v128.load(dyr + o);
      const dyg = f32x4.mul(dyv, v128.load(g + o));
      a = f32x4.add(a, dyg);
      bsum = f32x4.add(bsum, f32x4.mul(dyg, xhat));
      if (params) {
        v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(dyv, xhat)));
        v128.store(db + o, f32x4.add(v128.load(db + o), dyv));
      }
    }
    const ma = splat(hsum(a) * invD);
    const mb = splat(hsum(bsum) * invD);
    for (let c = 0; c < d; c += 4) {
      const o = <usize>c * 4;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      const dyg = f32x4.mul(v128.load(dyr + o), v128.load(g + o));
      v128.store(dxr + o, f32x4.mul(rv, f32x4.sub(f32x4.sub(dyg, ma), f32x4.mul(xhat, mb))));
    }
  }
}

/** dg = Σ_rows dy·x̂ and db = Σ_rows dy (overwritten), rows ascending from +0 as in layerNormBackward. */
function layerNormParamGrads(x: usize, stats: usize, dy: usize, dg: usize, db: usize, N: i32, d: i32): void {
  memory.fill(dg, 0, <usize>d * 4);
  memory.fill(db, 0, <usize>d * 4);
  for (let r = 0; r < N; r++) {
    const xr = x + <usize>(r * d) * 4;
    const dyr = dy + <usize>(r * d) * 4;
    const mv = splat(load<f32>(stats + <usize>r * 8));
    const rv = splat(load<f32>(stats + <usize>r * 8, 4));
    for (let c = 0; c < d; c += 4) {
      const o = <usize>c * 4;
      const xhat = f32x4.mul(f32x4.sub(v128.load(xr + o), mv), rv);
      const dyv = v128.load(dyr + o);
      v128.store(dg + o, f32x4.add(v128.load(dg + o), f32x4.mul(dyv, xhat)));
      v128.store(db + o, f32x4.add(v128.load(db + o), dyv));
    }
  }
}

/** out[c] = Σ_r dy[r·d + c] (the bias gradient of a dense layer); any d. */
export function columnSum(dy: usize, out: usize, N: i32, d: i32): void {
  memory.fill(out, 0, <usize>d * 4);
  const d4 = d & ~3;
  for (let r = 0; r < N; r++) {
    const row = dy + <usize>(r * d) * 4;
    let c = 0;
    for (; c < d4; c += 4) {
      const o = <usize>c * 4;
      v128.store(out + o, f32x4.add(v128.load(out + o), v128.load(row + o)));
    }
    for (; c < d; c++) store<f32>(out + <usize>c * 4, load<f32>(out + <usize>c * 4) + load<f32>(row + <usize>c * 4));
  }
}
