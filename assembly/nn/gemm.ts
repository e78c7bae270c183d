// Dense matrix product for training on tfjs-wasm: C = op(A)·op(B), f32, SIMD f32x4 mul+add, and the
// WASM-SIMD peak microbenchmark the benchmark compares it with.
//
// Memory layout (TypeScript passes tfjs tensor offsets and a scratch pointer; src/learning/ops/gemm.ts):
//   A : element (i, k) of op(A) at a + 4·(i·sai + k·sak)   (sai, sak in floats: NN is (K, 1), TN is (1, M))
//   B : element (k, j) of op(B) at b + 4·(k·sbk + j·sbj)   (NN is (N, 1), NT is (1, K))
//   C : M×N at c with row stride ldc floats (≥ N), overwritten (a column block of a wider C when
//       threads split C by columns; src/learning/ops/gemm.ts).
//   pack : scratch of gemmScratchBytes(N, K) = 4·kc·roundUp(N, 8) + 16·kc bytes (kc = min(K, 256)):
//          B's current K-block packed into column panels of 8 (zero-padded), so the inner loop reads
//          B sequentially whatever op(B) is; then, when A is read down columns (sak ≠ 1, the weight
//          gradient xᵀ·dy), the current 4 rows of op(A) packed k-major (4 floats per k), so the
//          block does not hold kc strided cache lines of A in L1 (+5–20% on those shapes).
// No data segment, no static writes (runs on tfjs-wasm's memory, see src/learning/ops/tfjs_heap.ts).
//
// Summation order is fixed by the shapes alone: k ascending inside a K-block of 256, block partial
// sums added to C in block order; so results are the same bits on every engine (no FMA: WASM SIMD128
// mul and add round separately; only the opt-in relaxed build, assembly/gemm-relaxed, fuses them).

const KC: i32 = 256;

// c + a·b: mul then add, each rounded (the deterministic default); one fused multiply-add in the
// module built with relaxed SIMD (assembly/gemm-relaxed: opt-in, engine-dependent rounding).
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** Bytes of scratch gemm needs for these shapes (packed B block, then a packed 4-row sliver of A). */
export function gemmScratchBytes(N: i32, K: i32): i32 {
  const kc = K < KC ? K : KC;
  return 4 * kc * ((N + 7) & ~7) + 16 * kc;
}

// Packs op(B)[k0 .. k0+kc, 0 .. N) into panels of 8 columns: panel p at pack + 4·p·kc·8 holds
// rows k of 8 floats (columns 8p .. 8p+7, zeros past N).
function packB(b: usize, sbk: i32, sbj: i32, N: i32, k0: i32, kc: i32, pack: usize): void {
  const panels = (N + 7) >> 3;
  for (let p = 0; p < panels; p++) {
    const j0 = p << 3;
    const w = N - j0 < 8 ? N - j0 : 8;
    let dst = pack + <usize>(p * kc * 8) * 4;
    if (sbj == 1 && w == 8) {
      for (let k = 0; k < kc; k++) {
        const src = b + <usize>((k0 + k) * sbk + j0) * 4;
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        dst += 32;
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let j = 0; j < 8; j++) {
          const v: f32 = j < w ? load<f32>(b + <usize>((k0 + k) * sbk + (j0 + j) * sbj) * 4) : 0;
          store<f32>(dst + <usize>j * 4, v);
        }
        dst += 32;
      }
    }
  }
}

// C rows i0 .. i0+4, columns of panel p: 4×8 register block (8 accumulators), k over the block.
// @ts-ignore: decorator
@inline function block4x8(a: usize, sai4: usize, sak4: usize, bp: usize, kc: i32, c: usize, ldc4: usize, w: i32, first: bool, bias: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a;
  let pb = bp;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(pb);
    const b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + sai4);
    const a2 = v128.load32_splat(pa + 2 * sai4);
    const a3 = v128.load32_splat(pa + 3 * sai4);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    pa += sak4;
    pb += 32;
  }
  storeRow(c, c00, c01, w, first, bias);
  storeRow(c + ldc4, c10, c11, w, first, bias);
  storeRow(c + 2 * ldc4, c20, c21, w, first, bias);
  storeRow(c + 3 * ldc4, c30, c31, w, first, bias);
}

// One row of C against panel p (the M % 4 leftover rows).
// @ts-ignore: decorator
@inline function block1x8(a: usize, sak4: usize, bp: usize, kc: i32, c: usize, w: i32, first: bool, bias: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a;
  let pb = bp;
  for (let k = 0; k < kc; k++) {
    const a0 = v128.load32_splat(pa);
    c0 = madd(a0, v128.load(pb), c0);
    c1 = madd(a0, v128.load(pb, 16), c1);
    pa += sak4;
    pb += 32;
  }
  storeRow(c, c0, c1, w, first, bias);
}

// Writes (first K-block) or adds (later blocks) 8 columns, or the first w < 8 of them; after the
// last block, adds the bias (bias ≠ 0: its 8 columns), as tf.add(C, bias) would afterwards.
// @ts-ignore: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, w: i32, first: bool, bias: usize): void {
  if (w == 8) {
    if (!first) {
      v0 = f32x4.add(v128.load(c), v0);
      v1 = f32x4.add(v128.load(c, 16), v1);
    }
    if (bias != 0) {
      v0 = f32x4.add(v0, v128.load(bias));
      v1 = f32x4.add(v1, v128.load(bias, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  for (let j = 0; j < w; j++) {
    const v: f32 = j < 4 ? lane(v0, j) : lane(v1, j - 4);
    const dst = c + <usize>j * 4;
    let x: f32 = first ? v : load<f32>(dst) + v;
    if (bias != 0) x += load<f32>(bias + <usize>j * 4);
    store<f32>(dst, x);
  }
}

// @ts-ignore: decorator
@inline function lane(v: v128, j: i32): f32 {
  return j == 0 ? f32x4.extract_lane(v, 0) : j == 1 ? f32x4.extract_lane(v, 1) : j == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/**
 * C (M×N, row stride ldc) = op(A)·op(B) (+ bias, a row of N floats, when bias ≠ 0: added to each
 * finished sum, as a separate tf.add would) with the strides above; pack is gemmScratchBytes(N, K) of scratch.
 * K = 0 gives zeros.
 */
export function gemm(a: usize, sai: i32, sak: i32, b: usize, sbk: i32, sbj: i32, c: usize, ldc: i32, M: i32, N: i32, K: i32, pack: usize, bias: usize): void {
  if (K == 0) {
    // An empty sum is +0; the bias is then added to it, as tf.add would.
    for (let i = 0; i < M; i++) {
      const row = c + <usize>(i * ldc) * 4;
      if (bias == 0) memory.fill(row, 0, <usize>N * 4);
      else for (let j = 0; j < N; j++) store<f32>(row + <usize>j * 4, <f32>0 + load<f32>(bias + <usize>j * 4));
    }
    return;
  }
  const sai4 = <usize>sai * 4;
  const sak4 = <usize>sak * 4;
  const ldc4 = <usize>ldc * 4;
  const panels = (N + 7) >> 3;
  const M4 = M & ~3;
  const apack = pack + <usize>(((N + 7) & ~7) * (K < KC ? K : KC)) * 4;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = K - k0 < KC ? K - k0 : KC;
    const first = k0 == 0;
    const last = k0 + kc >= K;
    packB(b, sbk, sbj, N, k0, kc, pack);
    const ak = a + <usize>k0 * sak4;
    // Rows outer, panels inner: the 4 rows of A stay in L1 while the packed block of B (≤ 256 KB
    // at N = 256, kc = 256) stays in L2.
    let i = 0;
    for (; i < M4; i += 4) {
      let ap = ak + <usize>i * sai4;
      let ai4 = sai4;
      let ak4 = sak4;
      if (sak != 1) {
        for (let k = 0; k < kc; k++) {
          const src = ap + <usize>k * sak4;
          const dst = apack + <usize>k * 16;
          store<f32>(dst, load<f32>(src));
          store<f32>(dst, load<f32>(src + sai4), 4);
          store<f32>(dst, load<f32>(src + 2 * sai4), 8);
          store<f32>(dst, load<f32>(src + 3 * sai4), 12);
        }
        ap = apack;
        ai4 = 4;
        ak4 = 16;
      }
      for (let p = 0; p < panels; p++) {
        const j0 = p << 3;
        block4x8(ap, ai4, ak4, pack + <usize>(p * kc * 8) * 4, kc, c + <usize>i * ldc4 + <usize>j0 * 4, ldc4, N - j0 < 8 ? N - j0 : 8, first, last && bias != 0 ? bias + <usize>j0 * 4 : 0);
      }
    }
    for (; i < M; i++) {
      for (let p = 0; p < panels; p++) {
        const j0 = p << 3;
        block1x8(ak + <usize>i * sai4, sak4, pack + <usize>(p * kc * 8) * 4, kc, c + <usize>i * ldc4 + <usize>j0 * 4, N - j0 < 8 ? N - j0 : 8, first, last && bias != 0 ? bias + <usize>j0 * 4 : 0);
      }
    }
  }
}

/**
 * WASM-SIMD throughput probe: 12 independent chains x ← x·m + a of f32x4 (mul then add, each
 * rounded, as in gemm) for `iters` rounds; 12·8 = 96 flops a round. Returns a lane sum so the work
 * cannot be dropped. (Each chain waits for mul then add; fewer chains leave pipes idle, more spill
 * registers in V8: 8-14 chains measured within noise of each other here.)
 */
export function simdPeakMulAdd(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const a = f32x4.splat(0.001);
  let x0 = f32x4.splat(0.1), x1 = f32x4.splat(0.2), x2 = f32x4.splat(0.3), x3 = f32x4.splat(0.4);
  let x4 = f32x4.splat(0.5), x5 = f32x4.splat(0.6), x6 = f32x4.splat(0.7), x7 = f32x4.splat(0.8);
  let x8 = f32x4.splat(0.9), x9 = f32x4.splat(1.0), xa = f32x4.splat(1.1), xb = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    x0 = madd(x0, m, a);
    x1 = madd(x1, m, a);
    x2 = madd(x2, m, a);
    x3 = madd(x3, m, a);
    x4 = madd(x4, m, a);
    x5 = madd(x5, m, a);
    x6 = madd(x6, m, a);
    x7 = madd(x7, m, a);
    x8 = madd(x8, m, a);
    x9 = madd(x9, m, a);
    xa = madd(xa, m, a);
    xb = madd(xb, m, a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7)), f32x4.add(f32x4.add(x8, x9), f32x4.add(xa, xb))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/**
 * The same ceiling with gemm's own instruction mix: gemm's 4×8 block (8 add-only accumulator chains,
 * operands changing every step, so nothing can be hoisted) over an L1-resident 64-step panel at buf
 * (B panel 2 KB, A 1 KB, C 128 B: buf must hold 3200 bytes), iters/64 times; 64 flops a round.
 */
export function simdPeakAccumulate(buf: usize, iters: i32): f32 {
  const c = buf + 3072;
  for (let i = 0; i < iters; i += 64) block4x8(buf + 2048, 4, 16, buf, 64, c, 32, 8, true, 0);
  return load<f32>(c);
}
