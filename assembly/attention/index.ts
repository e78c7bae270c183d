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
//   scratch                    : forward 4·(hs·Tp + Tp) bytes, backward 4·(2·hs·Tp + 2·Tp) bytes,
//                                Tp = T rounded up to a multiple of 4 (kᵀ, vᵀ and two score rows).
//
// Forward, per row i:  s_j = scale·q_i·k_j (j ≤ i), p = softmax(s), o_i = Σ_j p_j v_j.
// Backward, per row i: p_j = exp(s_j − m_i)/z_i, dp_j = dO_i·v_j, D_i = Σ_j p_j dp_j,
//   ds_j = scale·p_j (dp_j − D_i), dQ_i = Σ_j ds_j k_j, dK_j += ds_j q_i, dV_j += p_j dO_i.
// Score rows are computed against kᵀ (and vᵀ), vectorised over j, so no horizontal sums are needed.
// The module has no data segment (no Mathf.log tables): TypeScript may instantiate it on tfjs-wasm's
// own memory (src/learning/ops/tfjs_heap.ts), so it must never write outside the pointers it is given.
export { heapBase } from '../common/memory';
import { exp4, splat } from '../common/f32x4-math';


// dst[c·Tp + j] = src[j·stride + c] for j < T, zero for T ≤ j < Tp.
function transposeRows(src: usize, stride: i32, dst: usize, T: i32, hs: i32, Tp: i32): void {
  for (let c = 0; c < hs; c++) {
    const row = dst + <usize>(c * Tp) * 4;
    for (let j = 0; j < T; j++) store<f32>(row + <usize>j * 4, load<f32>(src + <usize>(j * stride + c) * 4));
    for (let j = T; j < Tp; j++) store<f32>(row + <usize>j * 4, 0);
  }
}

// out[j] = alpha · Σ_c x[c] · mT[c·Tp + j] for j < nj (nj a multiple of 4): a row times a transposed block.
function rowTimesTransposed(x: usize, mT: usize, out: usize, hs: i32, Tp: i32, nj: i32, alpha: f32): void {
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

export function attentionForward(
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

export function attentionBackward(
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
