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
export { gatherRows } from './gather';
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
 * dx of layerNormBackward only, for rows [0, N) of the pointers given (threads split the rows);
 * dg and db come from layerNormParamGrads. Per element the same operations as layerNormBackward.
 */
export function layerNormBackwardRows(x: usize, g: usize, stats: usize, dy: usize, dx: usize, N: i32, d: i32): void {
  layerNormBackwardPass(x, g, stats, dy, dx, 0, 0, N, d, false);
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

// Rows per chunk of the column-range kernels below: a chunk's rows stay in cache while the
// column blocks sweep them, and the running sums go to memory once per chunk, not once per row
// (per row, two threads storing sums on either side of their column boundary would fight over
// that cache line: a split by columns then ran slower than one thread).
const CHUNK = 64;

/**
 * dg[c] = Σ_r dy·x̂ and db[c] = Σ_r dy for columns c in [c0, c1) (c0, c1 multiples of 4; threads
 * split the columns), over all N rows of width d: each column's sum is the same adds in the same
 * order (rows ascending from +0) as in layerNormBackward; only the loops are blocked (16 columns
 * in registers over a chunk of rows).
 */
export function layerNormParamGrads(x: usize, stats: usize, dy: usize, dg: usize, db: usize, N: i32, d: i32, c0: i32, c1: i32): void {
  memory.fill(dg + <usize>c0 * 4, 0, <usize>(c1 - c0) * 4);
  memory.fill(db + <usize>c0 * 4, 0, <usize>(c1 - c0) * 4);
  for (let r0 = 0; r0 < N; r0 += CHUNK) {
    const r1 = min(N, r0 + CHUNK);
    let c = c0;
    for (; c + 16 <= c1; c += 16) {
      const o = <usize>c * 4;
      let g0 = v128.load(dg + o), g1 = v128.load(dg + o, 16), g2 = v128.load(dg + o, 32), g3 = v128.load(dg + o, 48);
      let b0 = v128.load(db + o), b1 = v128.load(db + o, 16), b2 = v128.load(db + o, 32), b3 = v128.load(db + o, 48);
      for (let r = r0; r < r1; r++) {
        const xr = x + <usize>(r * d) * 4 + o;
        const dyr = dy + <usize>(r * d) * 4 + o;
        const mv = splat(load<f32>(stats + <usize>r * 8));
        const rv = splat(load<f32>(stats + <usize>r * 8, 4));
        const y0 = v128.load(dyr), y1 = v128.load(dyr, 16), y2 = v128.load(dyr, 32), y3 = v128.load(dyr, 48);
        g0 = f32x4.add(g0, f32x4.mul(y0, f32x4.mul(f32x4.sub(v128.load(xr), mv), rv)));
        g1 = f32x4.add(g1, f32x4.mul(y1, f32x4.mul(f32x4.sub(v128.load(xr, 16), mv), rv)));
        g2 = f32x4.add(g2, f32x4.mul(y2, f32x4.mul(f32x4.sub(v128.load(xr, 32), mv), rv)));
        g3 = f32x4.add(g3, f32x4.mul(y3, f32x4.mul(f32x4.sub(v128.load(xr, 48), mv), rv)));
        b0 = f32x4.add(b0, y0);
        b1 = f32x4.add(b1, y1);
        b2 = f32x4.add(b2, y2);
        b3 = f32x4.add(b3, y3);
      }
      v128.store(dg + o, g0);
      v128.store(dg + o, g1, 16);
      v128.store(dg + o, g2, 32);
      v128.store(dg + o, g3, 48);
      v128.store(db + o, b0);
      v128.store(db + o, b1, 16);
      v128.store(db + o, b2, 32);
      v128.store(db + o, b3, 48);
    }
    for (; c < c1; c += 4) {
      const o = <usize>c * 4;
      let gv = v128.load(dg + o), bv = v128.load(db + o);
      for (let r = r0; r < r1; r++) {
        const yv = v128.load(dy + <usize>(r * d) * 4 + o);
        const xhat = f32x4.mul(f32x4.sub(v128.load(x + <usize>(r * d) * 4 + o), splat(load<f32>(stats + <usize>r * 8))), splat(load<f32>(stats + <usize>r * 8, 4)));
        gv = f32x4.add(gv, f32x4.mul(yv, xhat));
        bv = f32x4.add(bv, yv);
      }
      v128.store(dg + o, gv);
      v128.store(db + o, bv);
    }
  }
}

/** out[c] = Σ_r dy[r·d + c] (the bias gradient of a dense layer); any d. The one-thread kernel. */
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

/**
 * columnSum for columns [c0, c1) only (c0 a multiple of 4; threads split the columns), blocked:
 * 32 columns in registers over a chunk of rows. Each column's sum is still rows ascending from +0
 * (a SIMD lane and the scalar tail do the same f32 add), so the bits equal columnSum's whatever
 * the range.
 */
export function columnSumRange(dy: usize, out: usize, N: i32, d: i32, c0: i32, c1: i32): void {
  memory.fill(out + <usize>c0 * 4, 0, <usize>(c1 - c0) * 4);
  const c4 = c0 + ((c1 - c0) & ~3);
  for (let r0 = 0; r0 < N; r0 += CHUNK) {
    const r1 = min(N, r0 + CHUNK);
    let c = c0;
    for (; c + 32 <= c4; c += 32) {
      const o = <usize>c * 4;
      let a0 = v128.load(out + o), a1 = v128.load(out + o, 16), a2 = v128.load(out + o, 32), a3 = v128.load(out + o, 48);
      let a4 = v128.load(out + o, 64), a5 = v128.load(out + o, 80), a6 = v128.load(out + o, 96), a7 = v128.load(out + o, 112);
      for (let r = r0; r < r1; r++) {
        const p = dy + <usize>(r * d) * 4 + o;
        a0 = f32x4.add(a0, v128.load(p));
        a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32));
        a3 = f32x4.add(a3, v128.load(p, 48));
        a4 = f32x4.add(a4, v128.load(p, 64));
        a5 = f32x4.add(a5, v128.load(p, 80));
        a6 = f32x4.add(a6, v128.load(p, 96));
        a7 = f32x4.add(a7, v128.load(p, 112));
      }
      v128.store(out + o, a0);
      v128.store(out + o, a1, 16);
      v128.store(out + o, a2, 32);
      v128.store(out + o, a3, 48);
      v128.store(out + o, a4, 64);
      v128.store(out + o, a5, 80);
      v128.store(out + o, a6, 96);
      v128.store(out + o, a7, 112);
    }
    for (; c < c4; c += 4) {
      const o = <usize>c * 4;
      let a = v128.load(out + o);
      for (let r = r0; r < r1; r++) a = f32x4.add(a, v128.load(dy + <usize>(r * d) * 4 + o));
      v128.store(out + o, a);
    }
    for (; c < c1; c++) {
      const o = <usize>c * 4;
      let a = load<f32>(out + o);
      for (let r = r0; r < r1; r++) a += load<f32>(dy + <usize>(r * d) * 4 + o);
      store<f32>(out + o, a);
    }
  }
}
