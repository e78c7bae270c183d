// Embedding lookup: rows of a [V, d] f32 table picked by n int32 ids (checked by the caller to
// be in [0, V)). A copy, so the same bits as tf.gather; tfjs-wasm's Gather walks every element
// through strides (~50 ns each here), this copies whole rows.

/** out[r·d .. r·d + d) = table[ids[r]·d .. ids[r]·d + d) for r < n. */
export function gatherRows(table: usize, ids: usize, out: usize, n: i32, d: i32): void {
  const bytes = <usize>d << 2;
  for (let r = 0; r < n; r++) {
    const id = <usize>load<i32>(ids + (<usize>r << 2));
    memory.copy(out + <usize>r * bytes, table + id * bytes, bytes);
  }
}

/**
 * Its gradient (UnsortedSegmentSum over rows): out[s·d ..) = Σ x[r·d ..) over r < n with
 * ids[r] = s, for the segments s in [s0, s1) only (threads split the segments; rows ascending
 * from +0, one f32 add per element, so the bits of the one-thread loop). Ids outside [s0, s1) are
 * skipped (outside [0, numSegments) they are dropped, as TensorFlow does).
 */
export function segmentSumRows(x: usize, ids: usize, out: usize, n: i32, d: i32, s0: i32, s1: i32): void {
  const bytes = <usize>d << 2;
  memory.fill(out + <usize>s0 * bytes, 0, <usize>(s1 - s0) * bytes);
  const d4 = d & ~3;
  for (let r = 0; r < n; r++) {
    const s = load<i32>(ids + (<usize>r << 2));
    if (s < s0 || s >= s1) continue;
    const src = x + <usize>r * bytes, dst = out + <usize>s * bytes;
    let j = 0;
    for (; j < d4; j += 4) {
      const o = <usize>j << 2;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (; j < d; j++) {
      const o = <usize>j << 2;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}
