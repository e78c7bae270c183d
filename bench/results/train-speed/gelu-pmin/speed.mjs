import { readFileSync } from 'node:fs';
const CH = 1 << 19;
const load = async (f) => {
  const { instance } = await WebAssembly.instantiate(readFileSync(f), {});
  const e = instance.exports; const mem = e.memory;
  mem.grow(Math.ceil((3 * 4 * CH + 131072) / 65536));
  const x = 65536; const m = { e, mem, x, y: x + 4 * CH, dy: x + 8 * CH };
  const xf = new Float32Array(mem.buffer, x, CH); for (let i = 0; i < CH; i++) xf[i] = Math.sin(i) * 3;
  new Float32Array(mem.buffer, m.dy, CH).fill(1);
  return m;
};
const ms = [await load(process.argv[2]), await load(process.argv[3])];
const best = [[Infinity, Infinity], [Infinity, Infinity]];
for (let r = 0; r < 30; r++) for (let k = 0; k < 2; k++) {
  const m = ms[k];
  let t = performance.now(); m.e.geluForward(m.x, m.y, CH); best[k][0] = Math.min(best[k][0], performance.now() - t);
  t = performance.now(); m.e.geluBackward(m.x, m.dy, m.y, CH); best[k][1] = Math.min(best[k][1], performance.now() - t);
}
console.log('old fwd/bwd ms', best[0].map((x) => x.toFixed(2)), 'new', best[1].map((x) => x.toFixed(2)));
