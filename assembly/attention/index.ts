// Fused causal self-attention, forward and backward (f32, SIMD f32x4), for tfjs custom kernels.
//
// Memory layout (TypeScript passes tfjs tensor offsets, see src/learning/ops/attention_kernels.ts):
//   q, k, v, dQ, dK, dV : row t of head h in batch b starts at base + 4·(b·bIn + h·hIn + t·sIn)
//   o, dO               : likewise with (bOut, hOut, sOut)
//   Each row is hs contiguous f32, hs a multiple of 4. [B, H, T, hs] tensors have strides
//   (H·T·hs, T·hs, hs); a packed qkv [B, T, 3d] has q, k, v at offsets 0, d, 2d with strides
//   (3d·T, hs, 3d), and its output y [B, T, d] has (d·T, hs, d): no transposes needed.
//   stats                      : BH·T pairs of f32 (max m_i, 1/z_i) of each scaled score row (forward
//                                output, backward input), so the backward recomputes P without storing it.
//   scratch                    : forwardScratchBytes(T, hs) and backwardScratchBytes(T, hs) bytes
//                                (kᵀ, vᵀ, score rows), Tp = T rounded up to a multiple of 4.
//
// Forward, per row i:  s_j = scale·q_i·k_j (j ≤ i), p = softmax(s), o_i = Σ_j p_j v_j.
// Backward, per row i: p_j = exp(s_j − m_i)/z_i, dp_j = dO_i·v_j, D_i = Σ_j p_j dp_j,
//   ds_j = scale·p_j (dp_j − D_i), dQ_i = Σ_j ds_j k_j, dK_j += ds_j q_i, dV_j += p_j dO_i.
// Score rows are computed against kᵀ (and vᵀ), vectorised over j, so no horizontal sums are needed.
//
// Bit-identical to the first, row-at-a-time kernels (reference.ts, kept for the tests): every output
// element gets the same rounded f32 operations in the same order, only the loops are blocked so the
// operands stay in registers. Scores: four query rows × eight columns per pass (one load of kᵀ serves
// four rows). o_i and dQ_i: two rows at once, their hs-wide accumulators held in registers across
// j (ascending, from +0, as the axpys did in memory). dK_j and dV_j: the backward first stores ds and
// p for a tile of TILE query rows, then sweeps each pair of columns j over the tile's rows i
// ascending: each dK_j, dV_j element still sums i = j, j+1, … in order, now from registers, loaded
// and stored once per tile instead of once per (i, j).
// The module has no data segment (no Mathf.log tables): TypeScript may instantiate it on tfjs-wasm's
// own memory (src/learning/ops/tfjs_heap.ts), so it must never write outside the pointers it is given.
export { heapBase } from '../common/memory';
export { attentionForwardReference, attentionBackwardReference } from './reference';
import { splat } from '../common/f32x4-math';
import { rowTimesTransposed } from './reference';

// Query rows per backward tile (a multiple of 4): p and ds of a tile live in scratch, TILE·Tp each.
const TILE: i32 = 64;

export function forwardScratchBytes(T: i32, hs: i32): i32 {
  const Tp = (T + 3) & ~3;
  return 4 * (hs * Tp + 4 * Tp) + EXP_CONSTANT_BYTES;
}

export function backwardScratchBytes(T: i32, hs: i32): i32 {
  const Tp = (T + 3) & ~3;
  return 4 * (2 * hs * Tp + 2 * min(TILE, Tp) * Tp) + EXP_CONSTANT_BYTES;
}

// dst[c·Tp + j] = src[j·stride + c] for j < T, zero for T ≤ j < Tp (as reference.ts's
// transposeRows, pure data movement): 4×4 blocks by shuffles, the last T % 4 rows one by one.
function transposeRows(src: usize, stride: i32, dst: usize, T: i32, hs: i32, Tp: i32): void {
  const rs = <usize>stride * 4, cs = <usize>Tp * 4;
  const T4 = T & ~3;
  for (let j = 0; j < T4; j += 4) {
    const s0 = src + <usize>j * rs;
    let d = dst + <usize>j * 4;
    for (let c = 0; c < hs; c += 4) {
      const cb = <usize>c * 4;
      const r0 = v128.load(s0 + cb), r1 = v128.load(s0 + rs + cb), r2 = v128.load(s0 + 2 * rs + cb), r3 = v128.load(s0 + 3 * rs + cb);
      const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
      const t2 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
      v128.store(d, v128.shuffle<f32>(t0, t1, 0, 1, 4, 5));
      v128.store(d + cs, v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
      v128.store(d + 2 * cs, v128.shuffle<f32>(t2, t3, 0, 1, 4, 5));
      v128.store(d + 3 * cs, v128.shuffle<f32>(t2, t3, 2, 3, 6, 7));
      d += 4 * cs;
    }
  }
  for (let c = 0; c < hs; c++) {
    const row = dst + <usize>c * cs;
    for (let j = T4; j < T; j++) store<f32>(row + <usize>j * 4, load<f32>(src + <usize>j * rs + <usize>c * 4));
    for (let j = T; j < Tp; j++) store<f32>(row + <usize>j * 4, 0);
  }
}

// out[r·Tp + j] = alpha · Σ_c x_r[c] · mT[c·Tp + j] for rows r < 4 (x_r = x + r·xStride floats) and
// j < nj (a multiple of 4): rowTimesTransposed on four rows at once, the same sum per element.
function fourRowsTimesTransposed(x: usize, xStride: i32, mT: usize, out: usize, hs: i32, Tp: i32, nj: i32, alpha: f32): void {
  const xs = <usize>xStride * 4;
  const os = <usize>Tp * 4;
  const al = splat(alpha);
  let j = 0;
  for (; j + 8 <= nj; j += 8) {
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    let d0 = f32x4.splat(0), d1 = f32x4.splat(0);
    let p = mT + <usize>j * 4;
    let xc = x;
    for (let c = 0; c < hs; c++) {
      const m0 = v128.load(p), m1 = v128.load(p, 16);
      let s = v128.load32_splat(xc);
      a0 = f32x4.add(a0, f32x4.mul(s, m0));
      a1 = f32x4.add(a1, f32x4.mul(s, m1));
      s = v128.load32_splat(xc + xs);
      b0 = f32x4.add(b0, f32x4.mul(s, m0));
      b1 = f32x4.add(b1, f32x4.mul(s, m1));
      s = v128.load32_splat(xc + 2 * xs);
      c0 = f32x4.add(c0, f32x4.mul(s, m0));
      c1 = f32x4.add(c1, f32x4.mul(s, m1));
      s = v128.load32_splat(xc + 3 * xs);
      d0 = f32x4.add(d0, f32x4.mul(s, m0));
      d1 = f32x4.add(d1, f32x4.mul(s, m1));
      p += <usize>Tp * 4;
      xc += 4;
    }
    const o = out + <usize>j * 4;
    v128.store(o, f32x4.mul(a0, al));
    v128.store(o, f32x4.mul(a1, al), 16);
    v128.store(o + os, f32x4.mul(b0, al));
    v128.store(o + os, f32x4.mul(b1, al), 16);
    v128.store(o + 2 * os, f32x4.mul(c0, al));
    v128.store(o + 2 * os, f32x4.mul(c1, al), 16);
    v128.store(o + 3 * os, f32x4.mul(d0, al));
    v128.store(o + 3 * os, f32x4.mul(d1, al), 16);
  }
  for (; j < nj; j += 4) {
    let a0 = f32x4.splat(0), b0 = f32x4.splat(0), c0 = f32x4.splat(0), d0 = f32x4.splat(0);
    let p = mT + <usize>j * 4;
    let xc = x;
    for (let c = 0; c < hs; c++) {
      const m0 = v128.load(p);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xc), m0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load32_splat(xc + xs), m0));
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(xc + 2 * xs), m0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load32_splat(xc + 3 * xs), m0));
      p += <usize>Tp * 4;
      xc += 4;
    }
    const o = out + <usize>j * 4;
    v128.store(o, f32x4.mul(a0, al));
    v128.store(o + os, f32x4.mul(b0, al));
    v128.store(o + 2 * os, f32x4.mul(c0, al));
    v128.store(o + 3 * os, f32x4.mul(d0, al));
  }
}

// Two weighted row sums at once, accumulators in registers (bytes strides ws, xs; hs % 4 = 0):
//   y0 = init0 + [lead0: w0[0]·x[0]] + Σ_{k<n} w0[k']·x[k'],   y1 = init1 + Σ_{k<n} w1[k']·x[k'] + [trail1: w1[n']·x[n']]
// where k' = k + lead0 (terms in ascending k, each as the axpy did: acc + splat(w)·x), init = +0 or
// the current y when `load`. lead0 serves column pairs (dK_j, dK_{j+1}: row j has one more term
// first), trail1 row pairs (o_i, o_{i+1}: row i+1 has one more term last).
function pairSums(w0: usize, w1: usize, ws: usize, x: usize, xs: usize, n: i32, lead0: bool, trail1: bool, y0: usize, y1: usize, hs: i32, load: bool): void {
  let c = 0;
  for (; c + 16 <= hs; c += 16) {
    const cb = <usize>c * 4;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
    if (load) {
      a0 = v128.load(y0 + cb); a1 = v128.load(y0 + cb, 16); a2 = v128.load(y0 + cb, 32); a3 = v128.load(y0 + cb, 48);
      b0 = v128.load(y1 + cb); b1 = v128.load(y1 + cb, 16); b2 = v128.load(y1 + cb, 32); b3 = v128.load(y1 + cb, 48);
    }
    let xp = x + cb, p0 = w0, p1 = w1;
    if (lead0) {
      const u = v128.load32_splat(p0);
      a0 = f32x4.add(a0, f32x4.mul(u, v128.load(xp)));
      a1 = f32x4.add(a1, f32x4.mul(u, v128.load(xp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(u, v128.load(xp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(u, v128.load(xp, 48)));
      xp += xs; p0 += ws; p1 += ws;
    }
    for (let k = 0; k < n; k++) {
      const u = v128.load32_splat(p0), v = v128.load32_splat(p1);
      let t = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(u, t)); b0 = f32x4.add(b0, f32x4.mul(v, t));
      t = v128.load(xp, 16);
      a1 = f32x4.add(a1, f32x4.mul(u, t)); b1 = f32x4.add(b1, f32x4.mul(v, t));
      t = v128.load(xp, 32);
      a2 = f32x4.add(a2, f32x4.mul(u, t)); b2 = f32x4.add(b2, f32x4.mul(v, t));
      t = v128.load(xp, 48);
      a3 = f32x4.add(a3, f32x4.mul(u, t)); b3 = f32x4.add(b3, f32x4.mul(v, t));
      xp += xs; p0 += ws; p1 += ws;
    }
    if (trail1) {
      const v = v128.load32_splat(p1);
      b0 = f32x4.add(b0, f32x4.mul(v, v128.load(xp)));
      b1 = f32x4.add(b1, f32x4.mul(v, v128.load(xp, 16)));
      b2 = f32x4.add(b2, f32x4.mul(v, v128.load(xp, 32)));
      b3 = f32x4.add(b3, f32x4.mul(v, v128.load(xp, 48)));
    }
    v128.store(y0 + cb, a0); v128.store(y0 + cb, a1, 16); v128.store(y0 + cb, a2, 32); v128.store(y0 + cb, a3, 48);
    v128.store(y1 + cb, b0); v128.store(y1 + cb, b1, 16); v128.store(y1 + cb, b2, 32); v128.store(y1 + cb, b3, 48);
  }
  for (; c < hs; c += 4) {
    const cb = <usize>c * 4;
    let a0 = f32x4.splat(0), b0 = f32x4.splat(0);
    if (load) { a0 = v128.load(y0 + cb); b0 = v128.load(y1 + cb); }
    let xp = x + cb, p0 = w0, p1 = w1;
    if (lead0) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p0), v128.load(xp)));
      xp += xs; p0 += ws; p1 += ws;
    }
    for (let k = 0; k < n; k++) {
      const t = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p0), t));
      b0 = f32x4.add(b0, f32x4.mul(v128.load32_splat(p1), t));
      xp += xs; p0 += ws; p1 += ws;
    }
    if (trail1) b0 = f32x4.add(b0, f32x4.mul(v128.load32_splat(p1), v128.load(xp)));
    v128.store(y0 + cb, a0);
    v128.store(y1 + cb, b0);
  }
}

// y = init + Σ_{k<n} w[k]·x[k] for one row (init = +0, or the current y when `load`).
function rowSum(w: usize, ws: usize, x: usize, xs: usize, n: i32, y: usize, hs: i32, load: bool): void {
  let c = 0;
  for (; c + 16 <= hs; c += 16) {
    const cb = <usize>c * 4;
    let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
    if (load) { a0 = v128.load(y + cb); a1 = v128.load(y + cb, 16); a2 = v128.load(y + cb, 32); a3 = v128.load(y + cb, 48); }
    let xp = x + cb, p = w;
    for (let k = 0; k < n; k++) {
      const u = v128.load32_splat(p);
      a0 = f32x4.add(a0, f32x4.mul(u, v128.load(xp)));
      a1 = f32x4.add(a1, f32x4.mul(u, v128.load(xp, 16)));
      a2 = f32x4.add(a2, f32x4.mul(u, v128.load(xp, 32)));
      a3 = f32x4.add(a3, f32x4.mul(u, v128.load(xp, 48)));
      xp += xs; p += ws;
    }
    v128.store(y + cb, a0); v128.store(y + cb, a1, 16); v128.store(y + cb, a2, 32); v128.store(y + cb, a3, 48);
  }
  for (; c < hs; c += 4) {
    const cb = <usize>c * 4;
    let a0 = f32x4.splat(0);
    if (load) a0 = v128.load(y + cb);
    let xp = x + cb, p = w;
    for (let k = 0; k < n; k++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(p), v128.load(xp)));
      xp += xs; p += ws;
    }
    v128.store(y + cb, a0);
  }
}

// y_i = Σ_{j ≤ i} w_i[j]·x_j for rows i0 ≤ i < i1 (w_i = w + (i − i0)·Tp floats, x_j = x + j·xs
// bytes, y_i = y + i·ys bytes), from +0 in ascending j: o = P·V and dQ = dS·K.
function causalRows(w: usize, Tp: i32, x: usize, xs: usize, y: usize, ys: usize, i0: i32, i1: i32, hs: i32): void {
  let i = i0;
  const wr = <usize>Tp * 4;
  for (; i + 1 < i1; i += 2) {
    const wi = w + <usize>(i - i0) * wr;
    pairSums(wi, wi + wr, 4, x, xs, i + 1, false, true, y + <usize>i * ys, y + <usize>(i + 1) * ys, hs, false);
  }
  if (i < i1) rowSum(w + <usize>(i - i0) * wr, 4, x, xs, i + 1, y + <usize>i * ys, hs, false);
}

// y_j += Σ_{i0 ≤ i < i1, i ≥ j} w_i[j]·x_i for every j < i1 (w_i as in causalRows), i ascending:
// dK += dSᵀ·Q and dV += Pᵀ·dO over one tile of query rows. Columns j ≥ i0 get their first terms in
// this tile: their sums start from +0 (what the reference's zeroed rows held), so nothing is zeroed first.
function causalColumns(w: usize, Tp: i32, x: usize, xs: usize, y: usize, ys: usize, i0: i32, i1: i32, hs: i32): void {
  const wr = <usize>Tp * 4;
  let j = 0;
  for (; j + 1 < i1; j += 2) {
    const s0 = max(j, i0); // first row of column j; column j + 1 starts at max(j + 1, i0)
    const lead = j >= i0;
    const n = i1 - (lead ? s0 + 1 : s0);
    const wj = w + <usize>(s0 - i0) * wr + <usize>j * 4;
    pairSums(wj, wj + 4, wr, x + <usize>s0 * xs, xs, n, lead, false, y + <usize>j * ys, y + <usize>(j + 1) * ys, hs, j < i0);
  }
  if (j < i1) {
    const s0 = max(j, i0);
    rowSum(w + <usize>(s0 - i0) * wr + <usize>j * 4, wr, x + <usize>s0 * xs, xs, i1 - s0, y + <usize>j * ys, hs, j < i0);
  }
}

// Scaled score rows i0 ≤ i < i0 + nr (nr ≤ 4, all with columns j < nj = i0 + 4) into out (rows Tp apart).
@inline function scoreRows(x: usize, xStride: i32, mT: usize, out: usize, hs: i32, Tp: i32, i0: i32, nr: i32, alpha: f32): void {
  const nj = i0 + 4;
  const xi = x + <usize>(i0 * xStride) * 4;
  if (nr == 4) fourRowsTimesTransposed(xi, xStride, mT, out, hs, Tp, nj, alpha);
  else for (let r = 0; r < nr; r++) rowTimesTransposed(xi + <usize>(r * xStride) * 4, mT, out + <usize>(r * Tp) * 4, hs, Tp, nj, alpha);
}

// exp4p of assembly/common/f32x4-math.ts (the same operations and constants, so the same bits) over
// one score row, four vectors per step where it can (independent chains for the FP pipes), its 15
// constants read from `cst` (written by storeExpConstants into scratch): V8
// otherwise rebuilds every 128-bit constant with three instructions at each use inside the loop.
//   backward = false: s_j ← e_j = exp(s_j − m), returns Σ_j e_j per lane (the softmax normaliser);
//   backward = true:  s_j ← e_j = exp(s_j − m)·invz, returns Σ_j e_j·dp_j per lane (D_i).
function expRow(s: usize, dp: usize, nj: i32, m: v128, invz: v128, cst: usize, backward: bool): v128 {
  let acc = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= nj; j += 16) {
    const jb = <usize>j * 4;
    let e = expAt(s + jb, m, cst), e1 = expAt(s + jb + 16, m, cst), e2 = expAt(s + jb + 32, m, cst), e3 = expAt(s + jb + 48, m, cst);
    if (backward) {
      e = f32x4.mul(e, invz);
      e1 = f32x4.mul(e1, invz);
      e2 = f32x4.mul(e2, invz);
      e3 = f32x4.mul(e3, invz);
      acc = f32x4.add(acc, f32x4.mul(e, v128.load(dp + jb)));
      acc = f32x4.add(acc, f32x4.mul(e1, v128.load(dp + jb, 16)));
      acc = f32x4.add(acc, f32x4.mul(e2, v128.load(dp + jb, 32)));
      acc = f32x4.add(acc, f32x4.mul(e3, v128.load(dp + jb, 48)));
    } else {
      acc = f32x4.add(acc, e);
      acc = f32x4.add(acc, e1);
      acc = f32x4.add(acc, e2);
      acc = f32x4.add(acc, e3);
    }
    v128.store(s + jb, e);
    v128.store(s + jb, e1, 16);
    v128.store(s + jb, e2, 32);
    v128.store(s + jb, e3, 48);
  }
  for (; j + 8 <= nj; j += 8) {
    const jb = <usize>j * 4;
    let e = expAt(s + jb, m, cst), e1 = expAt(s + jb + 16, m, cst);
    if (backward) {
      e = f32x4.mul(e, invz);
      e1 = f32x4.mul(e1, invz);
      acc = f32x4.add(acc, f32x4.mul(e, v128.load(dp + jb)));
      acc = f32x4.add(acc, f32x4.mul(e1, v128.load(dp + jb, 16)));
    } else {
      acc = f32x4.add(acc, e);
      acc = f32x4.add(acc, e1);
    }
    v128.store(s + jb, e);
    v128.store(s + jb, e1, 16);
  }
  for (; j < nj; j += 4) {
    const jb = <usize>j * 4;
    let e = expAt(s + jb, m, cst);
    if (backward) {
      e = f32x4.mul(e, invz);
      acc = f32x4.add(acc, f32x4.mul(e, v128.load(dp + jb)));
    } else {
      acc = f32x4.add(acc, e);
    }
    v128.store(s + jb, e);
  }
  return acc;
}

// @ts-ignore: decorator
@inline function expAt(sp: usize, m: v128, cst: usize): v128 {
  const x0 = f32x4.sub(v128.load(sp), m);
  const lo = v128.load(cst);
  const x = f32x4.pmin(f32x4.pmax(x0, lo), v128.load(cst, 16));
  const t = f32x4.add(f32x4.mul(x, v128.load(cst, 32)), v128.load(cst, 48));
  const fx = f32x4.sub(t, v128.load(cst, 48));
  let r = f32x4.sub(x, f32x4.mul(fx, v128.load(cst, 64)));
  r = f32x4.sub(r, f32x4.mul(fx, v128.load(cst, 80)));
  let y = f32x4.add(f32x4.mul(v128.load(cst, 96), r), v128.load(cst, 112));
  y = f32x4.add(f32x4.mul(y, r), v128.load(cst, 128));
  y = f32x4.add(f32x4.mul(y, r), v128.load(cst, 144));
  y = f32x4.add(f32x4.mul(y, r), v128.load(cst, 160));
  y = f32x4.add(f32x4.mul(y, r), v128.load(cst, 176));
  y = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(y, r), r), r), v128.load(cst, 192));
  const pow2n = i32x4.shl(i32x4.add(i32x4.sub(t, v128.load(cst, 208)), v128.load(cst, 224)), 23);
  return v128.andnot(f32x4.mul(y, pow2n), f32x4.lt(x0, lo));
}

const EXP_CONSTANT_BYTES: i32 = 240;

function storeExpConstants(cst: usize): void {
  v128.store(cst, splat(-87.3));
  v128.store(cst, splat(88.3), 16);
  v128.store(cst, splat(1.44269504088896341), 32);
  v128.store(cst, splat(12582912.0), 48);
  v128.store(cst, splat(0.693359375), 64);
  v128.store(cst, splat(-2.12194440e-4), 80);
  v128.store(cst, splat(1.9875691500e-4), 96);
  v128.store(cst, splat(1.3981999507e-3), 112);
  v128.store(cst, splat(8.3334519073e-3), 128);
  v128.store(cst, splat(4.1665795894e-2), 144);
  v128.store(cst, splat(1.6666665459e-1), 160);
  v128.store(cst, splat(5.0000001201e-1), 176);
  v128.store(cst, splat(1.0), 192);
  v128.store(cst, i32x4.splat(0x4b400000), 208);
  v128.store(cst, i32x4.splat(127), 224);
}

// @ts-ignore: decorator
@inline function sum4(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

export function attentionForward(
  q: usize, k: usize, v: usize, o: usize, stats: usize,
  B: i32, H: i32, T: i32, hs: i32, bIn: i32, hIn: i32, sIn: i32, bOut: i32, hOut: i32, sOut: i32,
  scale: f32, scratch: usize,
): void {
  const Tp = (T + 3) & ~3;
  const kT = scratch;
  const s = kT + <usize>(hs * Tp) * 4; // four score rows, Tp apart
  const cst = s + <usize>(4 * Tp) * 4;
  storeExpConstants(cst);
  const xs = <usize>sIn * 4, ys = <usize>sOut * 4;
  for (let bh = 0; bh < B * H; bh++) {
    const b = bh / H, h = bh % H;
    const offIn = <usize>(b * bIn + h * hIn) * 4;
    const qb = q + offIn, kb = k + offIn, vb = v + offIn;
    const ob = o + <usize>(b * bOut + h * hOut) * 4;
    transposeRows(kb, sIn, kT, T, hs, Tp);
    for (let i0 = 0; i0 < T; i0 += 4) {
      const nr = min(4, T - i0);
      const nj = i0 + 4; // columns 0..i rounded up to a multiple of 4, the same for the four rows
      scoreRows(qb, sIn, kT, s, hs, Tp, i0, nr, scale);
      for (let r = 0; r < nr; r++) {
        const i = i0 + r;
        const sr = s + <usize>(r * Tp) * 4;
        // Columns past i in the last block are not causal: -inf, so exp4 gives exactly 0.
        for (let j = i + 1; j < nj; j++) store<f32>(sr + <usize>j * 4, -Infinity);
        // f32 max is exact and order-free (f32x4.max lanes are f32.max), so the vector max is the scalar one.
        let mv = f32x4.splat(-Infinity);
        for (let j = 0; j < nj; j += 4) mv = f32x4.max(mv, v128.load(sr + <usize>j * 4));
        const m = max(max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), f32x4.extract_lane(mv, 2)), f32x4.extract_lane(mv, 3));
        const z = sum4(expRow(sr, 0, nj, splat(m), splat(0), cst, false));
        store<f32>(stats + <usize>(bh * T + i) * 8, m);
        store<f32>(stats + <usize>(bh * T + i) * 8, 1 / z, 4);
        const inv = splat(1 / z);
        for (let j = 0; j < nj; j += 4) v128.store(sr + <usize>j * 4, f32x4.mul(v128.load(sr + <usize>j * 4), inv));
      }
      causalRows(s, Tp, vb, xs, ob, ys, i0, i0 + nr, hs);
    }
  }
}

export function attentionBackward(
  q: usize, k: usize, v: usize, dO: usize, stats: usize, dQ: usize, dK: usize, dV: usize,
  B: i32, H: i32, T: i32, hs: i32, bIn: i32, hIn: i32, sIn: i32, bOut: i32, hOut: i32, sOut: i32,
  scale: f32, scratch: usize,
): void {
  const Tp = (T + 3) & ~3;
  const kT = scratch;
  const vT = kT + <usize>(hs * Tp) * 4;
  const P = vT + <usize>(hs * Tp) * 4; // p of a tile's rows, Tp apart
  const dS = P + <usize>(min(TILE, Tp) * Tp) * 4; // dp, then ds, of a tile's rows
  const cst = dS + <usize>(min(TILE, Tp) * Tp) * 4;
  storeExpConstants(cst);
  const xs = <usize>sIn * 4, os = <usize>sOut * 4;
  const sc = splat(scale);
  for (let bh = 0; bh < B * H; bh++) {
    const b = bh / H, h = bh % H;
    const off = <usize>(b * bIn + h * hIn) * 4;
    const qb = q + off, kb = k + off, vb = v + off;
    const dQb = dQ + off, dKb = dK + off, dVb = dV + off;
    const dOb = dO + <usize>(b * bOut + h * hOut) * 4;
    transposeRows(kb, sIn, kT, T, hs, Tp);
    transposeRows(vb, sIn, vT, T, hs, Tp);
    for (let t0 = 0; t0 < T; t0 += TILE) {
      const t1 = min(T, t0 + TILE);
      for (let i0 = t0; i0 < t1; i0 += 4) {
        const nr = min(4, t1 - i0);
        const nj = i0 + 4;
        const pr = P + <usize>((i0 - t0) * Tp) * 4, dr = dS + <usize>((i0 - t0) * Tp) * 4;
        scoreRows(qb, sIn, kT, pr, hs, Tp, i0, nr, scale);
        scoreRows(dOb, sOut, vT, dr, hs, Tp, i0, nr, 1);
        for (let r = 0; r < nr; r++) {
          const i = i0 + r;
          const p = pr + <usize>(r * Tp) * 4, dp = dr + <usize>(r * Tp) * 4;
          for (let j = i + 1; j < nj; j++) store<f32>(p + <usize>j * 4, -Infinity);
          const m = splat(load<f32>(stats + <usize>(bh * T + i) * 8));
          const invz = splat(load<f32>(stats + <usize>(bh * T + i) * 8, 4));
          const D = splat(sum4(expRow(p, dp, nj, m, invz, cst, true)));
          // ds_j = (scale·p_j)·(dp_j − D), as the scalar expression rounds it.
          for (let j = 0; j < nj; j += 4) {
            const jb = <usize>j * 4;
            v128.store(dp + jb, f32x4.mul(f32x4.mul(sc, v128.load(p + jb)), f32x4.sub(v128.load(dp + jb), D)));
          }
        }
      }
      causalRows(dS, Tp, kb, xs, dQb, xs, t0, t1, hs);
      causalColumns(dS, Tp, qb, xs, dKb, xs, t0, t1, hs);
      causalColumns(P, Tp, dOb, os, dVb, xs, t0, t1, hs);
    }
  }
}
