import * as tf from '@tensorflow/tfjs-core';
const root = '/work/wt/addmt/dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { runParts } = await import(root + '/src/learning/ops/threads.js');
const { onTfjsHeap } = await import(root + '/src/learning/ops/tfjs_heap.js');
const { wasmBase64 } = await import(root + '/src/kernels/generated/nn.js');
await initBackend('wasm', { threads: 2 });
const h = onTfjsHeap(tf.backend(), 'nn', wasmBase64); const k = h.exports;
const d = 512;
const med = (f) => { const ts = []; for (let i = 0; i < 200; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[100] * 1000; };
for (const N of [64, 256, 1024, 3200, 8192]) {
  const x = h.malloc(N * d * 4), out = h.malloc(d * 4), acc = h.malloc(8192), y = h.malloc(N * d * 4), z = h.malloc(N * d * 4);
  const H = tf.backend().wasm.HEAPF32; for (const p of [x, y, z]) for (let i = 0; i < N * d; i++) H[(p >> 2) + i] = Math.random();
  const one = med(() => k.columnSum(x, out, N, d));
  const two = med(() => runParts('nn', 'columnSumRange', k.columnSumRange, [[x, out, acc, N, d, 0, 256], [x, out, acc + 4096, N, d, 256, 512]]));
  const n = N * d, hN = (n / 2) | 0;
  const a1 = med(() => k.addSame(x, y, z, n));
  const a2 = med(() => runParts('nn', 'addSame', k.addSame, [[x, y, z, hN], [x + 4 * hN, y + 4 * hN, z + 4 * hN, n - hN]]));
  const mb = (N * d * 4) / 1e6;
  console.log(`${mb.toFixed(2)} MB: colsum 1 thr ${one.toFixed(0)} µs (${(mb * 1e3 / one).toFixed(1)} GB/s), 2 thr ${two.toFixed(0)} µs, ×${(one / two).toFixed(2)} | add (3 arrays) 1 thr ${a1.toFixed(0)} µs (${(3 * mb * 1e3 / a1).toFixed(1)} GB/s), 2 thr ${a2.toFixed(0)} µs, ×${(a1 / a2).toFixed(2)}`);
  h.free(x); h.free(y); h.free(z); h.free(out); h.free(acc);
}
await setThreads(1);
