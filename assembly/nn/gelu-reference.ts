// GELU as first written (clamps by f32x4.min/max, exp4), kept unchanged as the bit-for-bit reference
// of index.ts's geluForward/geluBackward, which clamp by pmin/pmax (exp4p): the same result for every
// non-NaN input, since every clamp bound is a non-zero constant (test/learning/ops_gelu_bits.test.ts).
import { exp4, splat } from '../common/f32x4-math';

// e^{2u} with u clamped to ±40 (finite and nonzero in f32; tanh is ±1 and sech² ~1e-35 there).
// @ts-ignore: decorator
@inline function exp2u(u: v128): v128 {
  const c = f32x4.min(f32x4.max(u, splat(-40)), splat(40));
  return exp4(f32x4.add(c, c));
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
@inline function gelu4(xv: v128): v128 {
  const u = f32x4.mul(splat(K0), f32x4.add(xv, f32x4.mul(splat(K1), f32x4.mul(xv, f32x4.mul(xv, xv)))));
  return f32x4.mul(f32x4.mul(splat(0.5), xv), f32x4.add(splat(1), tanhFromE(exp2u(u))));
}

// @ts-ignore: decorator
@inline function geluGrad4(xv: v128): v128 {
  const x2 = f32x4.mul(xv, xv);
  const e = exp2u(f32x4.mul(splat(K0), f32x4.add(xv, f32x4.mul(splat(K1), f32x4.mul(xv, x2)))));
  const left = f32x4.mul(splat(0.5), f32x4.add(splat(1), tanhFromE(e)));
  const right = f32x4.mul(f32x4.mul(f32x4.mul(splat(0.5), xv), sech2FromE(e)), f32x4.mul(splat(K0), f32x4.add(splat(1), f32x4.mul(splat(3 * K1), x2))));
  return f32x4.add(left, right);
}

/** y = 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))) over n floats. */
export function geluForwardReference(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(y + <usize>i * 4, gelu4(v128.load(x + <usize>i * 4)));
  for (; i < n; i++) store<f32>(y + <usize>i * 4, f32x4.extract_lane(gelu4(splat(load<f32>(x + <usize>i * 4))), 0));
}

/** dx = dy · gelu'(x) over n floats. */
export function geluBackwardReference(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(dx + o, f32x4.mul(v128.load(dy + o), geluGrad4(v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(dx + o, load<f32>(dy + o) * f32x4.extract_lane(geluGrad4(splat(load<f32>(x + o))), 0));
  }
}
