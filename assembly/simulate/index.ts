// Automaton simulation kernels (placeholder: the sequential loop; the Foundation issue adds the scans).
// Memory layout: delta at `deltaPtr` is k rows of n u8 (delta[letter*n + state]); letters at
// `lettersPtr` are T u8; states are written as T u8 at `outPtr`. TypeScript allocates all three.
export { heapBase } from '../common/memory';

export function sequentialU8(deltaPtr: usize, n: i32, lettersPtr: usize, T: i32, start: i32, outPtr: usize): i32 {
  let q = start;
  for (let t = 0; t < T; t++) {
    const a = <i32>load<u8>(lettersPtr + t);
    q = <i32>load<u8>(deltaPtr + a * n + q);
    store<u8>(outPtr + t, <u8>q);
  }
  return q;
}
