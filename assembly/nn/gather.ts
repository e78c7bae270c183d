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
