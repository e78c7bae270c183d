// Shared by every kernel module: where TypeScript may start allocating (see src/kernels/arena.ts).
export function heapBase(): usize {
  return __heap_base;
}
