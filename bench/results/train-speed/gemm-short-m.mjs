// GEMM at the L=4 model's K and N with M cut to 256 rows (runs of ~1 ms dodge preemption on the
// loaded VM): ours and XNNPACK, against the SIMD ceiling, best of 30 interleaved runs.
const { simdPeak, gemmSpeed, addTorchGemm } = await import(process.cwd() + '/dist/bench/lib/gemm-speed.js');
const peak = await simdPeak(40);
const shapes = [
  { shape: 'qkv 128→384, 256 rows', M: 256, K: 128, N: 384 },
  { shape: 'mlp 128→512, 256 rows', M: 256, K: 128, N: 512 },
  { shape: 'mlp 512→128, 256 rows', M: 256, K: 512, N: 128 },
];
const rows = await gemmSpeed(shapes, peak.peak, 30);
addTorchGemm(rows, 1);
console.log(`SIMD peak ${peak.peak.toFixed(1)} GFLOP/s (mul→add chains ${peak.mulAddChains.toFixed(1)}, gemm block in L1 ${peak.accumulateChains.toFixed(1)})`);
console.log('| product | mode | M×N×K | ours | XNNPACK | ours ÷ peak | PyTorch BLAS 1 thread |');
console.log('|---|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.shape} | ${r.mode} | ${r.M}×${r.N}×${r.K} | ${r.oursGflops.toFixed(1)} | ${r.xnnpackGflops.toFixed(1)} | ${(100 * r.oursOfPeak).toFixed(0)}% | ${r.torchGflops?.toFixed(1) ?? '—'} |`);
