// Transformations of n points as stored by the Froidure–Pin kernel, and the three things the
// enumeration does with them: multiply, hash, compare. Three layouts, chosen by `mode`:
//   MODE_U64  (n ≤ 8):   8 bytes per element, the whole map is one u64 hash key;
//   MODE_V128 (n ≤ 16): 16 bytes per element, one v128;
//   MODE_BYTES (n ≤ 255): `stride` bytes per element (n rounded up to a multiple of 8).
// Points q ≥ n are padded with the identity (t[q] = q), so padded products stay padded and
// whole words can be hashed and compared.
// Convention: the element of the word uv is "apply u, then v": (uv)[q] = v[u[q]].
// With i8x16.swizzle(a, s)[q] = a[s[q]], the product u·v is swizzle(v, u).

export const MODE_U64: i32 = 0;
export const MODE_V128: i32 = 1;
export const MODE_BYTES: i32 = 2;

const M1: u64 = 0x9e3779b97f4a7c15;
const M2: u64 = 0xc2b2ae3d27d4eb4f;

/** Writes u·v (apply u then v) to `out`; `u`, `v`, `out` point to elements of the given layout. */
// @ts-ignore: decorator
@inline
export function multiply(mode: i32, u: usize, v: usize, out: usize, stride: i32): void {
  if (mode == MODE_U64) {
    const x = i8x16.swizzle(v128.load64_zero(v), v128.load64_zero(u));
    store<u64>(out, i64x2.extract_lane(x, 0));
  } else if (mode == MODE_V128) {
    v128.store(out, i8x16.swizzle(v128.load(v), v128.load(u)));
  } else {
    for (let q = 0; q < stride; q++) {
      store<u8>(out + q, load<u8>(v + <usize>load<u8>(u + q)));
    }
  }
}

/** A 64-bit hash of the element at `p`; the table takes its top bits. */
// @ts-ignore: decorator
@inline
export function hash(mode: i32, p: usize, stride: i32): u64 {
  if (mode == MODE_U64) return load<u64>(p) * M1;
  if (mode == MODE_V128) {
    const lo = load<u64>(p);
    const hi = load<u64>(p, 8);
    return (lo ^ rotl<u64>(hi * M2, 31)) * M1;
  }
  let h: u64 = <u64>stride;
  for (let o = 0; o < stride; o += 8) {
    h = rotl<u64>((h ^ load<u64>(p + o)) * M2, 29);
  }
  return h * M1;
}

/** True when the elements at `a` and `b` are equal. */
// @ts-ignore: decorator
@inline
export function equal(mode: i32, a: usize, b: usize, stride: i32): bool {
  if (mode == MODE_U64) return load<u64>(a) == load<u64>(b);
  if (mode == MODE_V128) return i8x16.all_true(i8x16.eq(v128.load(a), v128.load(b)));
  for (let o = 0; o < stride; o += 8) {
    if (load<u64>(a + o) != load<u64>(b + o)) return false;
  }
  return true;
}

/** Copies one element. */
// @ts-ignore: decorator
@inline
export function copy(mode: i32, dst: usize, src: usize, stride: i32): void {
  if (mode == MODE_U64) store<u64>(dst, load<u64>(src));
  else if (mode == MODE_V128) v128.store(dst, v128.load(src));
  else memory.copy(dst, src, <usize>stride);
}
