import * as tf from '@tensorflow/tfjs-core';
const root = '/work/wt/addmt/dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { runParts } = await import(root + '/src/learning/ops/threads.js');
const { onTfjsHeap } = await import(root + '/src/learning/ops/tfjs_heap.js');
const { wasmBase64 } = await import(root + '/src/kernels/generated/nn.js');
await initBackend('wasm', { threads: 2 });
const k = onTfjsHeap(tf.backend(), 'nn', wasmBase64).exports;
for (let rep = 0; rep < 5; rep++) {
  const ts = [];
  for (let i = 0; i < 200; i++) { const t0 = performance.now(); runParts('nn', 'addSame', k.addSame, [[0, 0, 0, 0], [0, 0, 0, 0]]); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  console.log(`hand-off, empty parts: median ${(ts[100] * 1000).toFixed(1)} µs, p10 ${(ts[20] * 1000).toFixed(1)}, p90 ${(ts[180] * 1000).toFixed(1)}`);
}
await setThreads(1);
