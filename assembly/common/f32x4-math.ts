// f32x4 helpers shared by the kernels that run on tfjs' heap (assembly/attention, assembly/nn).
// Inlined at every use: no data segment, no static writes.

// @ts-ignore: decorator
@inline export function splat(x: f32): v128 {
  return f32x4.splat(x);
}

// exp on four lanes (Cephes expf: range reduction by ln 2, degree-5 polynomial, 2^n by exponent
// bits). Relative error ~1e-7 on [-87, 88]; lanes below -87.3 give 0.
// @ts-ignore: decorator
@inline export function exp4(x0: v128): v128 {
  const x = f32x4.min(f32x4.max(x0, splat(-87.3)), splat(88.3));
  // Round x·log2(e) to an integer n by adding 1.5·2^23 (the FPU rounds to nearest); n is then
  // in the low mantissa bits, cheaper than f32x4.nearest + i32x4.trunc_sat on x64.
  const t = f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), splat(12582912.0));
  const fx = f32x4.sub(t, splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, splat(-2.12194440e-4)));
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), splat(1.0));
  const n = i32x4.sub(t, i32x4.splat(0x4b400000));
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  const e = f32x4.mul(y, pow2n);
  return v128.andnot(e, f32x4.lt(x0, splat(-87.3)));
}

// exp4 with the clamp done by pmin/pmax (one minps/maxps each on x64, where f32x4.min/max take ~7
// instructions for their NaN and ±0 rules). Bit-identical to exp4 for every non-NaN lane: the bounds
// are non-zero constants, so pmin/pmax pick the same operand as min/max; a NaN lane stays NaN (its
// payload may differ).
// @ts-ignore: decorator
@inline export function exp4p(x0: v128): v128 {
  const x = f32x4.pmin(f32x4.pmax(x0, splat(-87.3)), splat(88.3));
  const t = f32x4.add(f32x4.mul(x, splat(1.44269504088896341)), splat(12582912.0));
  const fx = f32x4.sub(t, splat(12582912.0));
  let r = f32x4.sub(x, f32x4.mul(fx, splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(fx, splat(-2.12194440e-4)));
  let y = splat(1.9875691500e-4);
  y = f32x4.add(f32x4.mul(y, r), splat(1.3981999507e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(8.3334519073e-3));
  y = f32x4.add(f32x4.mul(y, r), splat(4.1665795894e-2));
  y = f32x4.add(f32x4.mul(y, r), splat(1.6666665459e-1));
  y = f32x4.add(f32x4.mul(y, r), splat(5.0000001201e-1));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), splat(1.0));
  const n = i32x4.sub(t, i32x4.splat(0x4b400000));
  const pow2n = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23);
  const e = f32x4.mul(y, pow2n);
  return v128.andnot(e, f32x4.lt(x0, splat(-87.3)));
}
