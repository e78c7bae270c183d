// AdamW's per-parameter work in two passes over memory, in the exact operation order and f32
// rounding of src/learning/optim.ts's tf-op chain on tfjs-wasm (one op = one f32 rounding; wasm's
// f32 mul/add/div/sqrt are correctly rounded, and no op is fused), so the fused path gives the
// same bits as the chain (test/learning/ops_optim.test.ts).

/** Σ fl(g[i]²) over n floats, added left to right in f32 from 0: tf.sum(tf.square(g)) on tfjs-wasm. */
export function sumSquares(g: usize, n: i32): f32 {
  let s: f32 = 0;
  for (let i = 0; i < n; i++) {
    const x = load<f32>(g + (<usize>i << 2));
    s += x * x;
  }
  return s;
}

/**
 * One AdamW update of n floats (any n; SIMD with a scalar tail, both the same roundings):
 *   gs = g·scale; m' = m·b1 + gs·c1; v' = v·b2 + gs²·c2; u = (m'/bc1)/(sqrt(v'/bc2) + eps);
 *   p' = p·keep − u·lr if decayed, else p − u·lr.
 * c1 = 1 − b1, c2 = 1 − b2, keep = 1 − lr·decay: the caller rounds them to f32 as tfjs does its
 * scalar operands. Writes p', m', v' to pOut, mOut, vOut (may not alias the inputs' other roles).
 */
export function adamwUpdate(p: usize, g: usize, m: usize, v: usize, pOut: usize, mOut: usize, vOut: usize, n: i32,
  scale: f32, b1: f32, c1: f32, b2: f32, c2: f32, bc1: f32, bc2: f32, eps: f32, keep: f32, lr: f32, decayed: i32): void {
  const S = f32x4.splat(scale), B1 = f32x4.splat(b1), C1 = f32x4.splat(c1), B2 = f32x4.splat(b2), C2 = f32x4.splat(c2);
  const BC1 = f32x4.splat(bc1), BC2 = f32x4.splat(bc2), EPS = f32x4.splat(eps), KEEP = f32x4.splat(keep), LR = f32x4.splat(lr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const gs = f32x4.mul(v128.load(g + o), S);
    const m1 = f32x4.add(f32x4.mul(v128.load(m + o), B1), f32x4.mul(gs, C1));
    const v1 = f32x4.add(f32x4.mul(v128.load(v + o), B2), f32x4.mul(f32x4.mul(gs, gs), C2));
    const u = f32x4.div(f32x4.div(m1, BC1), f32x4.add(f32x4.sqrt(f32x4.div(v1, BC2)), EPS));
    const pv = v128.load(p + o);
    const p1 = decayed ? f32x4.sub(f32x4.mul(pv, KEEP), f32x4.mul(u, LR)) : f32x4.sub(pv, f32x4.mul(u, LR));
    v128.store(mOut + o, m1);
    v128.store(vOut + o, v1);
    v128.store(pOut + o, p1);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gs = load<f32>(g + o) * scale;
    const m1 = load<f32>(m + o) * b1 + gs * c1;
    const v1 = load<f32>(v + o) * b2 + (gs * gs) * c2;
    const u = (m1 / bc1) / (Mathf.sqrt(v1 / bc2) + eps);
    const pv = load<f32>(p + o);
    store<f32>(mOut + o, m1);
    store<f32>(vOut + o, v1);
    store<f32>(pOut + o, decayed ? pv * keep - u * lr : pv - u * lr);
  }
}
