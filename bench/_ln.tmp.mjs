import * as tf from '@tensorflow/tfjs-core';
const root = '/work/wt/addmt/dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { runParts } = await import(root + '/src/learning/ops/threads.js');
const { onTfjsHeap } = await import(root + '/src/learning/ops/tfjs_heap.js');
const { wasmBase64 } = await import(root + '/src/kernels/generated/nn.js');
await initBackend('wasm', { threads: 2 });
const h = onTfjsHeap(tf.backend(), 'nn', wasmBase64); const k = h.exports;
const med = (f) => { const ts = []; for (let i = 0; i < 60; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return Math.round(ts[30] * 1000); };
const out = [];
for (const [N, d] of [[2048, 64], [3200, 128]]) {
  const n = N * d;
  const x = h.malloc(n * 4), y = h.malloc(n * 4), z = h.malloc(n * 4), o = h.malloc(d * 8), st = h.malloc(N * 8), g = h.malloc(d * 4), b = h.malloc(d * 4);
  const H = tf.backend().wasm.HEAPF32; for (const p of [x, y, z]) for (let i = 0; i < n; i++) H[(p >> 2) + i] = Math.random();
  for (let i = 0; i < d; i++) { H[(g >> 2) + i] = 1; H[(b >> 2) + i] = 0; }
  k.layerNormForward(x, g, b, z, st, N, d, 1e-5);
  const r = { size: `[${N},${d}]` };
  r.one = med(() => k.layerNormBackward(x, g, st, y, z, o, o + 4 * d, N, d));
  r.rows = med(() => k.layerNormBackwardPart(x, g, st, y, z, o, o + 4 * d, N, d, 0, N, 0));
  r.params = med(() => k.layerNormBackwardPart(x, g, st, y, z, o, o + 4 * d, N, d, 0, 0, 1));
  for (const f of [0.3, 0.5, 0.7]) {
    const first = Math.round(N * (1 + f) / 2 - N * f);
    r['two' + f] = med(() => runParts('nn', 'layerNormBackwardPart', k.layerNormBackwardPart, [[x, g, st, y, z, o, o + 4 * d, N, d, 0, first, 1], [x, g, st, y, z, o, o + 4 * d, N, d, first, N, 0]]));
  }
  out.push(r);
}
console.log(JSON.stringify(out));
await setThreads(1);
