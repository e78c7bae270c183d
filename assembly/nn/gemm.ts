// Dense matrix product for training on tfjs-wasm: C = op(A)·op(B), f32, SIMD f32x4 mul+add, and the
// WASM-SIMD peak microbenchmark the benchmark compares it with.
//
// Memory layout (TypeScript passes tfjs tensor offsets and a scratch pointer; src/learning/ops/gemm.ts):
//   A : element (i, k) of op(A) at a + 4·(i·sai + k·sak)   (sai, sak in floats: NN is (K, 1), TN is (1, M))
//   B : element (k, j) of op(B) at b + 4·(k·sbk + j·sbj)   (NN is (N, 1), NT is (1, K))
//   C : M×N row-major at c, overwritten.
//   pack : scratch of 4·KC·roundUp(N, 8) bytes (KC = min(K, 256)): B's current K-block, packed into
//          column panels of 8 (zero-padded), so the inner loop reads B sequentially whatever op(B) is.
// No data segment, no static writes (runs on tfjs-wasm's memory, see src/learning/ops/tfjs_heap.ts).
//
// Summation order is fixed by the shapes alone: k ascending inside a K-block of 256, block partial
// sums added to C in block order; so results are the same bits on every engine (no FMA: WASM SIMD128
// mul and add round separately, and relaxed SIMD is not used here).

const KC: i32 = 256;

/** Bytes of scratch gemm needs for these shapes. */
export function gemmScratchBytes(N: i32, K: i32): i32 {
  const kc = K < KC ? K : KC;
  return 4 * kc * ((N + 7) & ~7);
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
@inline function block4x8(a: usize, sai4: usize, sak4: usize, bp: usize, kc: i32, c: usize, ldc4: usize, w: i32, first: bool): void {
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
    c00 = f32x4.add(c00, f32x4.mul(a0, b0));
    c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0));
    c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0));
    c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0));
    c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    pa += sak4;
    pb += 32;
  }
  storeRow(c, c00, c01, w, first);
  storeRow(c + ldc4, c10, c11, w, first);
  storeRow(c + 2 * ldc4, c20, c21, w, first);
  storeRow(c + 3 * ldc4, c30, c31, w, first);
}

// One row of C against panel p (the M % 4 leftover rows).
// @ts-ignore: decorator
@inline function block1x8(a: usize, sak4: usize, bp: usize, kc: i32, c: usize, w: i32, first: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a;
  let pb = bp;
  for (let k = 0; k < kc; k++) {
    const a0 = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb, 16)));
    pa += sak4;
    pb += 32;
  }
  storeRow(c, c0, c1, w, first);
}

// Writes (first K-block) or adds (later blocks) 8 columns, or the first w < 8 of them.
// @ts-ignore: decorator
@inline function storeRow(c: usize, v0: v128, v1: v128, w: i32, first: bool): void {
  if (w == 8) {
    if (!first) {
      v0 = f32x4.add(v128.load(c), v0);
      v1 = f32x4.add(v128.load(c, 16), v1);
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
    return;
  }
  for (let j = 0; j < w; j++) {
    const v: f32 = j < 4 ? lane(v0, j) : lane(v1, j - 4);
    const dst = c + <usize>j * 4;
    store<f32>(dst, first ? v : load<f32>(dst) + v);
  }
}

// @ts-ignore: decorator
@inline function lane(v: v128, j: i32): f32 {
  return j == 0 ? f32x4.extract_lane(v, 0) : j == 1 ? f32x4.extract_lane(v, 1) : j == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/**
 * C (M×N, row-major) = op(A)·op(B) with the strides above; pack is gemmScratchBytes(N, K) of scratch.
 * K = 0 gives zeros.
 */
export function gemm(a: usize, sai: i32, sak: i32, b: usize, sbk: i32, sbj: i32, c: usize, M: i32, N: i32, K: i32, pack: usize): void {
  if (K == 0) {
    memory.fill(c, 0, <usize>(M * N) * 4);
    return;
  }
  const sai4 = <usize>sai * 4;
  const sak4 = <usize>sak * 4;
  const ldc4 = <usize>N * 4;
  const panels = (N + 7) >> 3;
  const M4 = M & ~3;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = K - k0 < KC ? K - k0 : KC;
    const first = k0 == 0;
    packB(b, sbk, sbj, N, k0, kc, pack);
    const ak = a + <usize>k0 * sak4;
    // Rows outer, panels inner: the 4 rows of A stay in L1 while the packed block of B (≤ 256 KB
    // at N = 256, kc = 256) stays in L2.
    let i = 0;
    for (; i < M4; i += 4) {
      for (let p = 0; p < panels; p++) {
        const j0 = p << 3;
        block4x8(ak + <usize>i * sai4, sai4, sak4, pack + <usize>(p * kc * 8) * 4, kc, c + <usize>i * ldc4 + <usize>j0 * 4, ldc4, N - j0 < 8 ? N - j0 : 8, first);
      }
    }
    for (; i < M; i++) {
      for (let p = 0; p < panels; p++) {
        const j0 = p << 3;
        block1x8(ak + <usize>i * sai4, sak4, pack + <usize>(p * kc * 8) * 4, kc, c + <usize>i * ldc4 + <usize>j0 * 4, N - j0 < 8 ? N - j0 : 8, first);
      }
    }
  }
}

/**
 * WASM-SIMD throughput probe: 12 independent chains x ← x·m + a of f32x4 (mul then add, each
 * rounded, as in gemm) for `iters` rounds; 12·8 = 96 flops a round. Returns a lane sum so the work
 * cannot be dropped. 12 chains cover the mul→add latency with the machine's mul and add pipes busy.
 */
export function simdPeakMulAdd(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const a = f32x4.splat(0.001);
  let x0 = f32x4.splat(0.1), x1 = f32x4.splat(0.2), x2 = f32x4.splat(0.3), x3 = f32x4.splat(0.4);
  let x4 = f32x4.splat(0.5), x5 = f32x4.splat(0.6), x6 = f32x4.splat(0.7), x7 = f32x4.splat(0.8);
  let x8 = f32x4.splat(0.9), x9 = f32x4.splat(1.0), xa = f32x4.splat(1.1), xb = f32x4.splat(1.2);
  for (let i = 0; i < iters; i++) {
    x0 = f32x4.add(f32x4.mul(x0, m), a);
    x1 = f32x4.add(f32x4.mul(x1, m), a);
    x2 = f32x4.add(f32x4.mul(x2, m), a);
    x3 = f32x4.add(f32x4.mul(x3, m), a);
    x4 = f32x4.add(f32x4.mul(x4, m), a);
    x5 = f32x4.add(f32x4.mul(x5, m), a);
    x6 = f32x4.add(f32x4.mul(x6, m), a);
    x7 = f32x4.add(f32x4.mul(x7, m), a);
    x8 = f32x4.add(f32x4.mul(x8, m), a);
    x9 = f32x4.add(f32x4.mul(x9, m), a);
    xa = f32x4.add(f32x4.mul(xa, m), a);
    xb = f32x4.add(f32x4.mul(xb, m), a);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7)), f32x4.add(f32x4.add(x8, x9), f32x4.add(xa, xb))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}

/**
 * The same probe shaped like gemm's inner loop: 12 accumulators x_i ← x_i + v·w_i, where v changes
 * every round (so the products cannot be hoisted); 12·8 + 4 = 100 flops a round.
 */
export function simdPeakAccumulate(iters: i32): f32 {
  const d = f32x4.splat(1e-7);
  let v = f32x4.splat(0.5);
  const w0 = f32x4.splat(0.01), w1 = f32x4.splat(0.02), w2 = f32x4.splat(0.03);
  let x0 = f32x4.splat(0), x1 = f32x4.splat(0), x2 = f32x4.splat(0), x3 = f32x4.splat(0);
  let x4 = f32x4.splat(0), x5 = f32x4.splat(0), x6 = f32x4.splat(0), x7 = f32x4.splat(0);
  let x8 = f32x4.splat(0), x9 = f32x4.splat(0), xa = f32x4.splat(0), xb = f32x4.splat(0);
  for (let i = 0; i < iters; i++) {
    const p0 = f32x4.mul(v, w0), p1 = f32x4.mul(v, w1), p2 = f32x4.mul(v, w2);
    x0 = f32x4.add(x0, p0); x1 = f32x4.add(x1, p1); x2 = f32x4.add(x2, p2);
    x3 = f32x4.add(x3, f32x4.mul(p0, w1)); x4 = f32x4.add(x4, f32x4.mul(p1, w2)); x5 = f32x4.add(x5, f32x4.mul(p2, w0));
    x6 = f32x4.add(x6, f32x4.mul(p0, w2)); x7 = f32x4.add(x7, f32x4.mul(p1, w0)); x8 = f32x4.add(x8, f32x4.mul(p2, w1));
    x9 = f32x4.add(x9, f32x4.mul(p0, p1)); xa = f32x4.add(xa, f32x4.mul(p1, p2)); xb = f32x4.add(xb, f32x4.mul(p2, p0));
    v = f32x4.add(v, d);
  }
  const s = f32x4.add(f32x4.add(f32x4.add(x0, x1), f32x4.add(x2, x3)), f32x4.add(f32x4.add(f32x4.add(x4, x5), f32x4.add(x6, x7)), f32x4.add(f32x4.add(x8, x9), f32x4.add(xa, xb))));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
