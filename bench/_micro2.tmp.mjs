import * as tf from '@tensorflow/tfjs-core';
const root = '/work/wt/addmt/dist';
const { initBackend, setThreads } = await import(root + '/src/learning/backend.js');
const { useThreadedSmallKernels, columnSum, layerNorm } = await import(root + '/src/learning/ops/index.js');
const threads = Number(process.argv[2] ?? 1);
await initBackend('wasm', { threads: 2 });
await setThreads(threads);
const mk = (s) => Array.from({ length: 8 }, () => tf.randomNormal(s)); // rotate 8 inputs: less cache-hot
const cases = [
  ['same add [3200,128]', () => { const a = mk([3200, 128]), b = mk([3200, 128]); return [(i) => tf.add(a[i], b[i]), [a, b]]; }],
  ['bias add [3200,512]+[512]', () => { const a = mk([3200, 512]), b = tf.randomNormal([512]); return [(i) => tf.add(a[i], b), [a, b]]; }],
  ['colsum [3200,512]', () => { const a = mk([3200, 512]); return [(i) => columnSum(a[i]), [a]]; }],
  ['colsum [3200,128]', () => { const a = mk([3200, 128]); return [(i) => columnSum(a[i]), [a]]; }],
  ['layernorm [3200,128]', () => { const a = mk([3200, 128]), g = tf.ones([128]), b = tf.zeros([128]); return [(i) => layerNorm(a[i], g, b), [a, g, b]]; }],
  ['LN fwd+grad [3200,128]', () => { const a = mk([3200, 128]), g = tf.ones([128]), b = tf.zeros([128]); const f = tf.grads((x, gg, bb) => layerNorm(x, gg, bb)); return [(i) => f([a[i], g, b]), [a, g, b]]; }],
];
for (const [name, make] of cases) {
  const [f, keep] = make();
  const res = {};
  for (let round = 0; round < 5; round++) {
    for (const [label, on] of [['off', false], ['on', true]]) {
      useThreadedSmallKernels(on);
      const ts = [];
      for (let i = 0; i < 16; i++) { const t0 = performance.now(); const r = f(i % 8); const t = performance.now() - t0; tf.dispose(r); ts.push(t); }
      (res[label] ??= []).push(ts.sort((a, b) => a - b)[4]);
    }
  }
  const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${threads} thr`, name.padEnd(28), Object.entries(res).map(([k, v]) => `${k}: ${med(v).toFixed(3)} ms`).join('  '), ` off/on ${(med(res.off) / med(res.on)).toFixed(2)}`);
  tf.dispose(keep.flat());
}
await setThreads(1);
