// Elementwise float32 add for tfjs-wasm's `Add` kernel when threads are on
// (src/learning/ops/add.ts splits a call into element or row ranges, one per thread).
//
// Memory layout (TypeScript passes tfjs tensor offsets):
//   a, out : n f32 (addSame), or rows·m f32 row-major (addRows)
//   b      : n f32 (addSame), or m f32 added to every row (addRows: a bias, a position table)
// `out` may not overlap the inputs except exactly (out = a). Each element is one f32 add, which
// IEEE 754 rounds the same whoever computes it and in either operand order (NaN payloads aside),
// so the bits equal tfjs-wasm's own Add (XNNPACK).

// Four vectors per step: independent loads and adds keep the memory pipes busy.

/** out[i] = a[i] + b[i] for i < n. */
export function addSame(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i * 4;
    const x0 = f32x4.add(v128.load(a + o), v128.load(b + o));
    const x1 = f32x4.add(v128.load(a + o, 16), v128.load(b + o, 16));
    const x2 = f32x4.add(v128.load(a + o, 32), v128.load(b + o, 32));
    const x3 = f32x4.add(v128.load(a + o, 48), v128.load(b + o, 48));
    v128.store(out + o, x0);
    v128.store(out + o, x1, 16);
    v128.store(out + o, x2, 32);
    v128.store(out + o, x3, 48);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** out[r·m + c] = a[r·m + c] + b[c] for r < rows, c < m. */
export function addRows(a: usize, b: usize, out: usize, rows: i32, m: i32): void {
  if (m == 1) {
    // One column: b is a scalar; the rows are contiguous.
    const s = f32x4.splat(load<f32>(b));
    let i = 0;
    for (; i + 4 <= rows; i += 4) v128.store(out + <usize>i * 4, f32x4.add(v128.load(a + <usize>i * 4), s));
    for (; i < rows; i++) store<f32>(out + <usize>i * 4, load<f32>(a + <usize>i * 4) + f32x4.extract_lane(s, 0));
    return;
  }
  for (let r = 0; r < rows; r++) {
    const off = <usize>r * <usize>m * 4;
    addSame(a + off, b, out + off, m);
  }
}
