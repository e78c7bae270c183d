// One timing in a fresh process: node ab-step.mjs ROOT L threads steps -> JSON {tps, loss}
const [root, L, threads, steps] = process.argv.slice(2);
const { initBackend } = await import(root + '/dist/src/learning/backend.js');
const { timeGptSteps } = await import(root + '/dist/bench/lib/gpt-step.js');
await initBackend('wasm', { threads: Number(threads) });
const cfg = L === '2' ? { layers: 2, width: 64, heads: 4, length: 64, batch: 32, vocab: 8 } : { layers: 4, width: 128, heads: 4, length: 100, batch: 32, vocab: 8 };
const t = timeGptSteps(cfg, Number(steps));
console.log(JSON.stringify({ tps: (1000 * cfg.batch * cfg.length) / t.mean, best: (1000 * cfg.batch * cfg.length) / t.best, loss: t.loss }));
process.exit(0);
