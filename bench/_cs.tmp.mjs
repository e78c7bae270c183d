import * as tf from '@tensorflow/tfjs-core';
const root = '/work/wt/addmt/dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { runParts } = await import(root + '/src/learning/ops/threads.js');
const { onTfjsHeap } = await import(root + '/src/learning/ops/tfjs_heap.js');
const { wasmBase64 } = await import(root + '/src/kernels/generated/nn.js');
await initBackend('wasm', { threads: 2 });
const h = onTfjsHeap(tf.backend(), 'nn', wasmBase64); const k = h.exports;
const N = 3200, d = 512;
const x = h.malloc(N * d * 4), out = h.malloc(d * 4), acc = h.malloc(8192);
const time = (label, f) => { const ts = []; for (let i = 0; i < 300; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); console.log(label.padEnd(40), `median ${(ts[150] * 1000).toFixed(0)} µs  p10 ${(ts[30] * 1000).toFixed(0)}`); };
for (let rep = 0; rep < 2; rep++) {
  time('1 thread, full columnSum', () => k.columnSum(x, out, N, d));
  time('1 thread, half [0,256) acc=out', () => k.columnSumRange(x, out, out, N, d, 0, 256));
  time('1 thread, half [0,256) acc=scratch', () => k.columnSumRange(x, out, acc, N, d, 0, 256));
  time('1 thread, two halves, scratch', () => { k.columnSumRange(x, out, acc, N, d, 0, 256); k.columnSumRange(x, out, acc + 4096, N, d, 256, 512); });
  time('2 threads, two halves, scratch', () => runParts('nn', 'columnSumRange', k.columnSumRange, [[x, out, acc, N, d, 0, 256], [x, out, acc + 4096, N, d, 256, 512]]));
  time('2 threads, empty worker part', () => runParts('nn', 'columnSumRange', k.columnSumRange, [[x, out, acc, N, d, 0, 512], [x, out, acc + 4096, N, d, 512, 512]]));
}
await setThreads(1);
