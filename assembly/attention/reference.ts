// The first fused attention kernels, kept unchanged as the bit-for-bit reference of the blocked ones in
// index.ts (test/learning/ops_fused_attention.test.ts compares every output bit): one query row at a
// time, o_i, dQ_i, dK_j and dV_j updated in memory by an hs-wide axpy per (i, j).
// Layout, strides and scratch as documented in index.ts (scratch: forward 4·(hs·Tp + Tp) bytes,
// backward 4·(2·hs·Tp + 2·Tp) bytes, both within the blocked kernels' sizes).
import { exp4, splat } from '../common/f32x4-math';


// dst[c·Tp + j] = src[j·stride + c] for j < T, zero for T ≤ j < Tp.
export function transposeRows(src: usize, stride: i32, dst: usize, T: i32, hs: i32, Tp: i32): void {
  for (let c = 0; c < hs; c++) {
    const row = dst + <usize>(c * Tp) * 4;
    for (let j = 0; j < T; j++) store<f32>(row + <usize>j * 4, load<f32>(src + <usize>(j * stride + c) * 4));
    for (let j = T; j < Tp; j++) store<f32>(row + <usize>j * 4, 0);
  }
}

// out[j] = alpha · Σ_c x[c] · mT[c·Tp + j] for j < nj (nj a multiple of 4): a row times a transposed block.
export function rowTimesTransposed(x: usize, mT: usize, out: usize, hs: i32, Tp: i32, nj: i32, alpha: f32): void {
  let j = 0;
  // Eight columns at a time: two accumulators share each broadcast of x[c].
  for (; j + 8 <= nj; j += 8) {
    let a0 = f32x4.splat(0);
    let a1 = f32x4.splat(0);
    let p = mT + <usize>j * 4;
    for (let c = 0; c < hs; c++) {
      const xc = v128.load32_splat(x + <usize>c * 4);
      a0 = f32x4.add(a0, f32x4.mul(xc, v128.load(p)));
      a1 = f32x4.add(a1, f32x4.mul(xc, v128.load(p, 16)));
      p += <usize>Tp * 4;
    }
    v128.store(out + <usize>j * 4, f32x4.mul(a0, splat(alpha)));
    v128.store(out + <usize>j * 4, f32x4.mul(a1, splat(alpha)), 16);
  }
  for (; j < nj; j += 4) {
    let a0 = f32x4.splat(0);
    let p = mT + <usize>j * 4;
    for (let c = 0; c < hs; c++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(x + <usize>c * 4), v128.load(p)));
      p += <usize>Tp * 4;
    }
    v128.store(out + <usize>j * 4, f32x4.mul(a0, splat(alpha)));
  }
}

// y[0..hs) += a · x[0..hs)
// @ts-ignore: decorator
@inline function axpy(y: usize, a: f32, x: usize, hs: i32): void {
  const av = splat(a);
  for (let c = 0; c < hs; c += 4) {
    const o = <usize>c * 4;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(av, v128.load(x + o))));
  }
}

function zero(p: usize, n: i32): void {
  memory.fill(p, 0, <usize>n * 4);
}

export function attentionForwardReference(
  q: usize, k: usize, v: usize, o: usize, stats: usize,
  B: i32, H: i32, T: i32, hs: i32, bIn: i32, hIn: i32, sIn: i32, bOut: i32, hOut: i32, sOut: i32,
  scale: f32, scratch: usize,
): void {
  const Tp = (T + 3) & ~3;
  const kT = scratch;
  const s = kT + <usize>(hs * Tp) * 4;
  for (let bh = 0; bh < B * H; bh++) {
    const b = bh / H, h = bh % H;
    const offIn = <usize>(b * bIn + h * hIn) * 4;
    const qb = q + offIn, kb = k + offIn, vb = v + offIn;
    const ob = o + <usize>(b * bOut + h * hOut) * 4;
    transposeRows(kb, sIn, kT, T, hs, Tp);
    for (let i = 0; i < T; i++) {
      const nj = (i + 4) & ~3; // columns 0..i rounded up to a multiple of 4
      rowTimesTransposed(qb + <usize>(i * sIn) * 4, kT, s, hs, Tp, nj, scale);
      // Columns past i in the last block are not causal: -inf, so exp4 gives exactly 0.
      for (let j = i + 1; j < nj; j++) store<f32>(s + <usize>j * 4, -Infinity);
      let m: f32 = -Infinity;
      for (let j = 0; j <= i; j++) m = max(m, load<f32>(s + <usize>j * 4));
      let zv = f32x4.splat(0);
      for (let j = 0; j < nj; j += 4) {
        const e = exp4(f32x4.sub(v128.load(s + <usize>j * 4), splat(m)));
        v128.store(s + <usize>j * 4, e);
        zv = f32x4.add(zv, e);
      }
      const z = f32x4.extract_lane(zv, 0) + f32x4.extract_lane(zv, 1) + f32x4.extract_lane(zv, 2) + f32x4.extract_lane(zv, 3);
      store<f32>(stats + <usize>(bh * T + i) * 8, m);
      store<f32>(stats + <usize>(bh * T + i) * 8, 1 / z, 4);
      const oi = ob + <usize>(i * sOut) * 4;
      zero(oi, hs);
      const inv: f32 = 1 / z;
      for (let j = 0; j <= i; j++) axpy(oi, load<f32>(s + <usize>j * 4) * inv, vb + <usize>(j * sIn) * 4, hs);
    }
  }
}

export function attentionBackwardReference(
  q: usize, k: usize, v: usize, dO: usize, stats: usize, dQ: usize, dK: usize, dV: usize,
  B: i32, H: i32, T: i32, hs: i32, bIn: i32, hIn: i32, sIn: i32, bOut: i32, hOut: i32, sOut: i32,
  scale: f32, scratch: usize,
): void {
  const Tp = (T + 3) & ~3;
  const kT = scratch;
  const vT = kT + <usize>(hs * Tp) * 4;
  const p = vT + <usize>(hs * Tp) * 4;
  const dp = p + <usize>Tp * 4;
  for (let bh = 0; bh < B * H; bh++) {
    const b = bh / H, h = bh % H;
    const off = <usize>(b * bIn + h * hIn) * 4;
    const qb = q + off, kb = k + off, vb = v + off;
    const dQb = dQ + off, dKb = dK + off, dVb = dV + off;
    const dOb = dO + <usize>(b * bOut + h * hOut) * 4;
    transposeRows(kb, sIn, kT, T, hs, Tp);
    transposeRows(vb, sIn, vT, T, hs, Tp);
    for (let j = 0; j < T; j++) {
      zero(dKb + <usize>(j * sIn) * 4, hs);
      zero(dVb + <usize>(j * sIn) * 4, hs);
    }
    for (let i = 0; i < T; i++) {
      const nj = (i + 4) & ~3;
      const qi = qb + <usize>(i * sIn) * 4;
      const dOi = dOb + <usize>(i * sOut) * 4;
      rowTimesTransposed(qi, kT, p, hs, Tp, nj, scale);
      rowTimesTransposed(dOi, vT, dp, hs, Tp, nj, 1);
      for (let j = i + 1; j < nj; j++) store<f32>(p + <usize>j * 4, -Infinity);
      const m = splat(load<f32>(stats + <usize>(bh * T + i) * 8));
      const invz = splat(load<f32>(stats + <usize>(bh * T + i) * 8, 4));
      let Dv = f32x4.splat(0);
      for (let j = 0; j < nj; j += 4) {
        const e = f32x4.mul(exp4(f32x4.sub(v128.load(p + <usize>j * 4), m)), invz);
        v128.store(p + <usize>j * 4, e);
        Dv = f32x4.add(Dv, f32x4.mul(e, v128.load(dp + <usize>j * 4)));
      }
      const D = f32x4.extract_lane(Dv, 0) + f32x4.extract_lane(Dv, 1) + f32x4.extract_lane(Dv, 2) + f32x4.extract_lane(Dv, 3);
      const dQi = dQb + <usize>(i * sIn) * 4;
      zero(dQi, hs);
      for (let j = 0; j <= i; j++) {
        const pj = load<f32>(p + <usize>j * 4);
        const ds = scale * pj * (load<f32>(dp + <usize>j * 4) - D);
        const rowj = <usize>(j * sIn) * 4;
        axpy(dQi, ds, kb + rowj, hs);
        axpy(dKb + rowj, ds, qi, hs);
        axpy(dVb + rowj, pj, dOi, hs);
      }
    }
  }
}
