// Exhaustive check: the GELU kernels of two builds of assembly/nn give the same bits for every f32 input.
import { readFileSync } from 'node:fs';
const load = async (f) => {
  const { instance } = await WebAssembly.instantiate(readFileSync(f), {});
  const e = instance.exports;
  const mem = e.memory;
  const base = (e.heapBase ? (typeof e.heapBase === 'function' ? e.heapBase() : e.heapBase.value) : 65536);
  const need = base + 3 * 4 * CH + 65536;
  const pages = Math.ceil((need - mem.buffer.byteLength) / 65536);
  if (pages > 0) mem.grow(pages);
  const x0 = (base + 15) & ~15;
  return { e, mem, x: x0, y: x0 + 4 * CH, dy: x0 + 8 * CH };
};
const CH = 1 << 22;
const A = await load(process.argv[2]);
const B = await load(process.argv[3]);
for (const m of [A, B]) new Float32Array(m.mem.buffer, m.dy, CH).fill(1);
let diff = 0, nanPayload = 0, checked = 0;
const t0 = Date.now();
const chunks = Number(process.argv[4] ?? 1024);
const step = Math.floor(1024 / chunks);
for (let c = 0; c < 1024; c += step) {
  for (const m of [A, B]) { const xu = new Uint32Array(m.mem.buffer, m.x, CH); const b = (c * CH) >>> 0; for (let i = 0; i < CH; i++) xu[i] = (b + i) >>> 0; }
  for (const pass of ['f', 'b']) {
    for (const m of [A, B]) pass === 'f' ? m.e.geluForward(m.x, m.y, CH) : m.e.geluBackward(m.x, m.dy, m.y, CH);
    const ya = new Uint32Array(A.mem.buffer, A.y, CH), yb = new Uint32Array(B.mem.buffer, B.y, CH);
    for (let i = 0; i < CH; i++) {
      if (ya[i] !== yb[i]) {
        const na = (ya[i] & 0x7fffffff) > 0x7f800000, nb = (yb[i] & 0x7fffffff) > 0x7f800000;
        if (na && nb) nanPayload++;
        else { if (diff < 5) console.log('DIFF', pass, (c * CH + i).toString(16), ya[i].toString(16), yb[i].toString(16)); diff++; }
      }
    }
    checked += CH;
  }
}
console.log(JSON.stringify({ checked, diff, nanPayload, seconds: (Date.now() - t0) / 1000 }));
