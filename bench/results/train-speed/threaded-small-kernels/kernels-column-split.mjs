// one burst: sizes of the step, colsum / add / LN fwd / LN param grads, 1 vs 2 threads; prints JSON lines
import * as tf from '@tensorflow/tfjs-core';
const root = '../../../../dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { runParts } = await import(root + '/src/learning/ops/threads.js');
const { onTfjsHeap } = await import(root + '/src/learning/ops/tfjs_heap.js');
const { wasmBase64 } = await import(root + '/src/kernels/generated/nn.js');
await initBackend('wasm', { threads: 2 });
const h = onTfjsHeap(tf.backend(), 'nn', wasmBase64); const k = h.exports;
const med = (f) => { const ts = []; for (let i = 0; i < 60; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[30] * 1000; };
const out = [];
for (const [N, d] of [[2048, 64], [2048, 256], [3200, 128], [3200, 384], [3200, 512]]) {
  const n = N * d, hN = n / 2, hR = N / 2;
  const x = h.malloc(n * 4), y = h.malloc(n * 4), z = h.malloc(n * 4), o = h.malloc(d * 8), acc = h.malloc(16384), st = h.malloc(N * 8), g = h.malloc(d * 4), b = h.malloc(d * 4);
  const H = tf.backend().wasm.HEAPF32; for (const p of [x, y, z]) for (let i = 0; i < n; i++) H[(p >> 2) + i] = Math.random();
  for (let i = 0; i < d; i++) { H[(g >> 2) + i] = 1; H[(b >> 2) + i] = 0; }
  k.layerNormForward(x, g, b, z, st, N, d, 1e-5);
  const r = { size: `[${N},${d}]` };
  r.colsum1 = med(() => k.columnSum(x, o, N, d));
  r.colsum2 = med(() => runParts('nn', 'columnSumRange', k.columnSumRange, [[x, o, acc, N, d, 0, d / 2], [x, o, acc + 8192, N, d, d / 2, d]]));
  r.add1 = med(() => k.addSame(x, y, z, n));
  r.add2 = med(() => runParts('nn', 'addSame', k.addSame, [[x, y, z, hN], [x + 4 * hN, y + 4 * hN, z + 4 * hN, hN]]));
  r.ln1 = med(() => k.layerNormForward(x, g, b, z, st, N, d, 1e-5));
  r.ln2 = med(() => runParts('nn', 'layerNormForward', k.layerNormForward, [[x, g, b, z, st, hR, d, 1e-5], [x + 4 * hR * d, g, b, z + 4 * hR * d, st + 8 * hR, hR, d, 1e-5]]));
  r.lnpg1 = med(() => k.layerNormParamGrads(x, st, y, o, o + 4 * d, acc, N, d, 0, d));
  r.lnpg2 = med(() => runParts('nn', 'layerNormParamGrads', k.layerNormParamGrads, [[x, st, y, o, o + 4 * d, acc, N, d, 0, d / 2], [x, st, y, o, o + 4 * d, acc + 8192, N, d, d / 2, d]]));
  r.lnb1 = med(() => k.layerNormBackward(x, g, st, y, z, o, o + 4 * d, N, d));
  r.lnb2 = med(() => { runParts('nn', 'layerNormBackwardRows', k.layerNormBackwardRows, [[x, g, st, y, z, hR, d], [x + 4 * hR * d, g, st + 8 * hR, y + 4 * hR * d, z + 4 * hR * d, hR, d]]); runParts('nn', 'layerNormParamGrads', k.layerNormParamGrads, [[x, st, y, o, o + 4 * d, acc, N, d, 0, d / 2], [x, st, y, o, o + 4 * d, acc + 8192, N, d, d / 2, d]]); });
  r.bias1 = med(() => k.addRows(x, g, z, N, d));
  r.bias2 = med(() => runParts('nn', 'addRows', k.addRows, [[x, g, z, hR, d], [x + 4 * hR * d, g, z + 4 * hR * d, hR, d]]));
  for (const key of Object.keys(r)) if (typeof r[key] === 'number') r[key] = Math.round(r[key]);
  out.push(r);
}
console.log(JSON.stringify(out));
await setThreads(1);
