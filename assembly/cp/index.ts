// CP-ALS kernels: the tensor-times-matrix products (MTTKRP) of one ALS sweep with f64x2 SIMD,
// Gram matrices, and a small dense Cholesky solve. Pure functions over pointers; TypeScript
// (src/cp/kernel.ts) allocates everything in this module's memory with a WasmArena.
//
// Memory layout (all f64, row-major, 8 bytes per element, pointers are byte offsets):
//   X  at xPtr : I*J*K, X[(i*J + j)*K + k]  — i.e. an (IJ) × K matrix, row p = i*J + j
//   A  at aPtr : I × R,  A[i*R + r];  B at bPtr : J × R;  C at cPtr : K × R
//   T  at tPtr : (IJ) × R, T = X ×₃ C, T[p*R + r] = Σ_k X[p*K + k] C[k*R + r]
//   M  at mPtr : n × R MTTKRP output (n = I, J or K)
//   G / V      : R × R (Gram matrices; the normal-equation matrix, overwritten by its Cholesky factor)
// SIMD runs over the component index r (two f64 lanes); rows are blocked by 4 so each loaded
// factor vector feeds four multiply-adds. Odd R leaves a scalar tail column.
export { heapBase } from '../common/memory';

@inline function ld(p: usize): v128 { return v128.load(p); }
@inline function st(p: usize, v: v128): void { v128.store(p, v); }
@inline function fma(acc: v128, a: v128, b: v128): v128 { return f64x2.add(acc, f64x2.mul(a, b)); }

/** T = X ×₃ C: T[p, r] = Σ_k X[p, k] C[k, r] for the IJ rows p. Cost 2·IJKR flops. */
export function ttm3(xPtr: usize, IJ: i32, K: i32, cPtr: usize, R: i32, tPtr: usize): void {
  const xs = <usize>K << 3;
  const rs = <usize>R << 3;
  let p = 0;
  for (; p + 4 <= IJ; p += 4) {
    const x0 = xPtr + <usize>p * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
    const t0 = tPtr + <usize>p * rs, t1 = t0 + rs, t2 = t1 + rs, t3 = t2 + rs;
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      let cp = cPtr + (<usize>r << 3);
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 3;
        const c0 = ld(cp), c1 = ld(cp + 16);
        const v0 = v128.load64_splat(x0 + ko), v1 = v128.load64_splat(x1 + ko);
        const v2 = v128.load64_splat(x2 + ko), v3 = v128.load64_splat(x3 + ko);
        a00 = fma(a00, v0, c0); a01 = fma(a01, v0, c1);
        a10 = fma(a10, v1, c0); a11 = fma(a11, v1, c1);
        a20 = fma(a20, v2, c0); a21 = fma(a21, v2, c1);
        a30 = fma(a30, v3, c0); a31 = fma(a31, v3, c1);
        cp += rs;
      }
      const ro = <usize>r << 3;
      st(t0 + ro, a00); st(t0 + ro + 16, a01);
      st(t1 + ro, a10); st(t1 + ro + 16, a11);
      st(t2 + ro, a20); st(t2 + ro + 16, a21);
      st(t3 + ro, a30); st(t3 + ro + 16, a31);
    }
    for (; r + 2 <= R; r += 2) {
      let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
      let cp = cPtr + (<usize>r << 3);
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 3;
        const c0 = ld(cp);
        a0 = fma(a0, v128.load64_splat(x0 + ko), c0);
        a1 = fma(a1, v128.load64_splat(x1 + ko), c0);
        a2 = fma(a2, v128.load64_splat(x2 + ko), c0);
        a3 = fma(a3, v128.load64_splat(x3 + ko), c0);
        cp += rs;
      }
      const ro = <usize>r << 3;
      st(t0 + ro, a0); st(t1 + ro, a1); st(t2 + ro, a2); st(t3 + ro, a3);
    }
    if (r < R) {
      // Last column: SIMD over k instead (two k per lane pair), then a horizontal add.
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      const cc = cPtr + (<usize>r << 3);
      let k = 0;
      for (; k + 2 <= K; k += 2) {
        const ko = <usize>k << 3;
        const c = f64x2.replace_lane(f64x2.splat(load<f64>(cc + <usize>k * rs)), 1, load<f64>(cc + <usize>(k + 1) * rs));
        s0 = fma(s0, ld(x0 + ko), c);
        s1 = fma(s1, ld(x1 + ko), c);
        s2 = fma(s2, ld(x2 + ko), c);
        s3 = fma(s3, ld(x3 + ko), c);
      }
      let u0 = f64x2.extract_lane(s0, 0) + f64x2.extract_lane(s0, 1);
      let u1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
      let u2 = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
      let u3 = f64x2.extract_lane(s3, 0) + f64x2.extract_lane(s3, 1);
      if (k < K) {
        const ko = <usize>k << 3;
        const c = load<f64>(cc + <usize>k * rs);
        u0 += load<f64>(x0 + ko) * c; u1 += load<f64>(x1 + ko) * c;
        u2 += load<f64>(x2 + ko) * c; u3 += load<f64>(x3 + ko) * c;
      }
      const ro = <usize>r << 3;
      store<f64>(t0 + ro, u0); store<f64>(t1 + ro, u1); store<f64>(t2 + ro, u2); store<f64>(t3 + ro, u3);
    }
  }
  for (; p < IJ; p++) {
    const x0 = xPtr + <usize>p * xs;
    const t0 = tPtr + <usize>p * rs;
    let r = 0;
    for (; r + 2 <= R; r += 2) {
      let a0 = f64x2.splat(0);
      let cp = cPtr + (<usize>r << 3);
      for (let k = 0; k < K; k++) {
        a0 = fma(a0, v128.load64_splat(x0 + (<usize>k << 3)), ld(cp));
        cp += rs;
      }
      st(t0 + (<usize>r << 3), a0);
    }
    if (r < R) {
      let s = 0.0;
      for (let k = 0; k < K; k++) s += load<f64>(x0 + (<usize>k << 3)) * load<f64>(cPtr + <usize>k * rs + (<usize>r << 3));
      store<f64>(t0 + (<usize>r << 3), s);
    }
  }
}

/** M1[i, r] = Σ_j T[(i*J + j), r] B[j, r]  (I × R). */
export function mttkrp1(tPtr: usize, I: i32, J: i32, R: i32, bPtr: usize, mPtr: usize): void {
  const rs = <usize>R << 3;
  for (let i = 0; i < I; i++) {
    const mrow = mPtr + <usize>i * rs;
    const trow = tPtr + <usize>i * <usize>J * rs;
    let r = 0;
    for (; r + 2 <= R; r += 2) {
      const ro = <usize>r << 3;
      let acc = f64x2.splat(0);
      let tp = trow + ro, bp = bPtr + ro;
      for (let j = 0; j < J; j++) {
        acc = fma(acc, ld(tp), ld(bp));
        tp += rs;
        bp += rs;
      }
      st(mrow + ro, acc);
    }
    if (r < R) {
      const ro = <usize>r << 3;
      let s = 0.0;
      for (let j = 0; j < J; j++) s += load<f64>(trow + <usize>j * rs + ro) * load<f64>(bPtr + <usize>j * rs + ro);
      store<f64>(mrow + ro, s);
    }
  }
}

/** M2[j, r] = Σ_i T[(i*J + j), r] A[i, r]  (J × R). */
export function mttkrp2(tPtr: usize, I: i32, J: i32, R: i32, aPtr: usize, mPtr: usize): void {
  const rs = <usize>R << 3;
  const is = <usize>J * rs;
  memory.fill(mPtr, 0, <usize>J * rs);
  for (let i = 0; i < I; i++) {
    const arow = aPtr + <usize>i * rs;
    const trow = tPtr + <usize>i * is;
    let r = 0;
    for (; r + 2 <= R; r += 2) {
      const ro = <usize>r << 3;
      const a = ld(arow + ro);
      let tp = trow + ro, mp = mPtr + ro;
      for (let j = 0; j < J; j++) {
        st(mp, fma(ld(mp), ld(tp), a));
        tp += rs;
        mp += rs;
      }
    }
    if (r < R) {
      const ro = <usize>r << 3;
      const a = load<f64>(arow + ro);
      for (let j = 0; j < J; j++) {
        const mp = mPtr + <usize>j * rs + ro;
        store<f64>(mp, load<f64>(mp) + load<f64>(trow + <usize>j * rs + ro) * a);
      }
    }
  }
}

/**
 * M3[k, r] = Σ_{i,j} X[(i*J + j), k] A[i, r] B[j, r]  (K × R), streaming X once: rows of X in
 * blocks of 4, each block's Khatri–Rao rows (A[i,:] ∘ B[j,:]) held in registers per 4 columns.
 */
export function mttkrp3(xPtr: usize, I: i32, J: i32, K: i32, aPtr: usize, bPtr: usize, R: i32, mPtr: usize): void {
  const xs = <usize>K << 3;
  const rs = <usize>R << 3;
  const IJ = I * J;
  memory.fill(mPtr, 0, <usize>K * rs);
  let p = 0;
  for (; p + 4 <= IJ; p += 4) {
    const x0 = xPtr + <usize>p * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
    const i0 = p / J, j0 = p % J, i1 = (p + 1) / J, j1 = (p + 1) % J;
    const i2 = (p + 2) / J, j2 = (p + 2) % J, i3 = (p + 3) / J, j3 = (p + 3) % J;
    const a0 = aPtr + <usize>i0 * rs, b0 = bPtr + <usize>j0 * rs;
    const a1 = aPtr + <usize>i1 * rs, b1 = bPtr + <usize>j1 * rs;
    const a2 = aPtr + <usize>i2 * rs, b2 = bPtr + <usize>j2 * rs;
    const a3 = aPtr + <usize>i3 * rs, b3 = bPtr + <usize>j3 * rs;
    let r = 0;
    for (; r + 4 <= R; r += 4) {
      const ro = <usize>r << 3;
      const k00 = f64x2.mul(ld(a0 + ro), ld(b0 + ro)), k01 = f64x2.mul(ld(a0 + ro + 16), ld(b0 + ro + 16));
      const k10 = f64x2.mul(ld(a1 + ro), ld(b1 + ro)), k11 = f64x2.mul(ld(a1 + ro + 16), ld(b1 + ro + 16));
      const k20 = f64x2.mul(ld(a2 + ro), ld(b2 + ro)), k21 = f64x2.mul(ld(a2 + ro + 16), ld(b2 + ro + 16));
      const k30 = f64x2.mul(ld(a3 + ro), ld(b3 + ro)), k31 = f64x2.mul(ld(a3 + ro + 16), ld(b3 + ro + 16));
      let mp = mPtr + ro;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 3;
        const v0 = v128.load64_splat(x0 + ko), v1 = v128.load64_splat(x1 + ko);
        const v2 = v128.load64_splat(x2 + ko), v3 = v128.load64_splat(x3 + ko);
        let m0 = ld(mp), m1 = ld(mp + 16);
        m0 = fma(m0, v0, k00); m1 = fma(m1, v0, k01);
        m0 = fma(m0, v1, k10); m1 = fma(m1, v1, k11);
        m0 = fma(m0, v2, k20); m1 = fma(m1, v2, k21);
        m0 = fma(m0, v3, k30); m1 = fma(m1, v3, k31);
        st(mp, m0); st(mp + 16, m1);
        mp += rs;
      }
    }
    for (; r + 2 <= R; r += 2) {
      const ro = <usize>r << 3;
      const k0 = f64x2.mul(ld(a0 + ro), ld(b0 + ro)), k1 = f64x2.mul(ld(a1 + ro), ld(b1 + ro));
      const k2 = f64x2.mul(ld(a2 + ro), ld(b2 + ro)), k3 = f64x2.mul(ld(a3 + ro), ld(b3 + ro));
      let mp = mPtr + ro;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 3;
        let m = ld(mp);
        m = fma(m, v128.load64_splat(x0 + ko), k0);
        m = fma(m, v128.load64_splat(x1 + ko), k1);
        m = fma(m, v128.load64_splat(x2 + ko), k2);
        m = fma(m, v128.load64_splat(x3 + ko), k3);
        st(mp, m);
        mp += rs;
      }
    }
    if (r < R) {
      const ro = <usize>r << 3;
      const k0 = load<f64>(a0 + ro) * load<f64>(b0 + ro), k1 = load<f64>(a1 + ro) * load<f64>(b1 + ro);
      const k2 = load<f64>(a2 + ro) * load<f64>(b2 + ro), k3 = load<f64>(a3 + ro) * load<f64>(b3 + ro);
      // Odd R: the last column in scalar code.
      let mp = mPtr + ro;
      for (let k = 0; k < K; k++) {
        const ko = <usize>k << 3;
        store<f64>(mp, load<f64>(mp) + load<f64>(x0 + ko) * k0 + load<f64>(x1 + ko) * k1 + load<f64>(x2 + ko) * k2 + load<f64>(x3 + ko) * k3);
        mp += rs;
      }
    }
  }
  for (; p < IJ; p++) {
    const x0 = xPtr + <usize>p * xs;
    const a0 = aPtr + <usize>(p / J) * rs, b0 = bPtr + <usize>(p % J) * rs;
    let r = 0;
    for (; r + 2 <= R; r += 2) {
      const ro = <usize>r << 3;
      const k0 = f64x2.mul(ld(a0 + ro), ld(b0 + ro));
      let mp = mPtr + ro;
      for (let k = 0; k < K; k++) {
        st(mp, fma(ld(mp), v128.load64_splat(x0 + (<usize>k << 3)), k0));
        mp += rs;
      }
    }
    if (r < R) {
      const ro = <usize>r << 3;
      const k0 = load<f64>(a0 + ro) * load<f64>(b0 + ro);
      let mp = mPtr + ro;
      for (let k = 0; k < K; k++) {
        store<f64>(mp, load<f64>(mp) + load<f64>(x0 + (<usize>k << 3)) * k0);
        mp += rs;
      }
    }
  }
}

/** G = AᵀA (R × R) for an n × R matrix A. */
export function gram(aPtr: usize, n: i32, R: i32, gPtr: usize): void {
  const rs = <usize>R << 3;
  memory.fill(gPtr, 0, <usize>R * rs);
  for (let i = 0; i < n; i++) {
    const row = aPtr + <usize>i * rs;
    for (let a = 0; a < R; a++) {
      const x = f64x2.splat(load<f64>(row + (<usize>a << 3)));
      const g = gPtr + <usize>a * rs;
      let b = 0;
      for (; b + 2 <= R; b += 2) {
        const bo = <usize>b << 3;
        st(g + bo, fma(ld(g + bo), x, ld(row + bo)));
      }
      if (b < R) {
        const bo = <usize>b << 3;
        store<f64>(g + bo, load<f64>(g + bo) + f64x2.extract_lane(x, 0) * load<f64>(row + bo));
      }
    }
  }
}

/**
 * Cholesky V = L Lᵀ in place (lower triangle), then M := M V⁻¹ row by row (n rows of R).
 * Returns 1 on success, 0 when V is not numerically positive definite (M untouched).
 */
export function choleskySolve(vPtr: usize, R: i32, mPtr: usize, n: i32): i32 {
  let maxDiag = 0.0;
  for (let i = 0; i < R; i++) maxDiag = max(maxDiag, abs(load<f64>(vPtr + ((<usize>(i * R + i)) << 3))));
  const floor = maxDiag * 1e-14;
  for (let j = 0; j < R; j++) {
    const vj = vPtr + (<usize>(j * R) << 3);
    let d = load<f64>(vj + (<usize>j << 3));
    for (let k = 0; k < j; k++) { const l = load<f64>(vj + (<usize>k << 3)); d -= l * l; }
    if (!(d > floor)) return 0;
    const ljj = Math.sqrt(d);
    store<f64>(vj + (<usize>j << 3), ljj);
    for (let i = j + 1; i < R; i++) {
      const vi = vPtr + (<usize>(i * R) << 3);
      let s = load<f64>(vi + (<usize>j << 3));
      for (let k = 0; k < j; k++) s -= load<f64>(vi + (<usize>k << 3)) * load<f64>(vj + (<usize>k << 3));
      store<f64>(vi + (<usize>j << 3), s / ljj);
    }
  }
  for (let r = 0; r < n; r++) {
    const m = mPtr + (<usize>(r * R) << 3);
    for (let i = 0; i < R; i++) {
      const vi = vPtr + (<usize>(i * R) << 3);
      let s = load<f64>(m + (<usize>i << 3));
      for (let k = 0; k < i; k++) s -= load<f64>(vi + (<usize>k << 3)) * load<f64>(m + (<usize>k << 3));
      store<f64>(m + (<usize>i << 3), s / load<f64>(vi + (<usize>i << 3)));
    }
    for (let i = R - 1; i >= 0; i--) {
      let s = load<f64>(m + (<usize>i << 3));
      for (let k = i + 1; k < R; k++) s -= load<f64>(vPtr + (<usize>(k * R + i) << 3)) * load<f64>(m + (<usize>k << 3));
      store<f64>(m + (<usize>i << 3), s / load<f64>(vPtr + (<usize>(i * R + i) << 3)));
    }
  }
  return 1;
}

/** ‖X − [[A, B, C]]‖², entry by entry (no cancellation): x̂[p, k] = Σ_r A[i,r] B[j,r] C[k,r]. */
export function residualSq(xPtr: usize, I: i32, J: i32, K: i32, aPtr: usize, bPtr: usize, cPtr: usize, R: i32): f64 {
  const xs = <usize>K << 3;
  const rs = <usize>R << 3;
  let total = 0.0;
  for (let i = 0; i < I; i++) {
    const a = aPtr + <usize>i * rs;
    for (let j = 0; j < J; j++) {
      const b = bPtr + <usize>j * rs;
      const x = xPtr + <usize>(i * J + j) * xs;
      for (let k = 0; k < K; k++) {
        const c = cPtr + <usize>k * rs;
        let acc = f64x2.splat(0);
        let r = 0;
        for (; r + 2 <= R; r += 2) {
          const ro = <usize>r << 3;
          acc = fma(acc, f64x2.mul(ld(a + ro), ld(b + ro)), ld(c + ro));
        }
        let v = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
        if (r < R) {
          const ro = <usize>r << 3;
          v += load<f64>(a + ro) * load<f64>(b + ro) * load<f64>(c + ro);
        }
        const d = load<f64>(x + (<usize>k << 3)) - v;
        total += d * d;
      }
    }
  }
  return total;
}
