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
 * M3[k, r] = Σ_{i,j} X[(i*J + j), k] A[i, r] B[j, r]  (K × R), i.e. M3 = X_(3)ᵀ W with the
 * Khatri–Rao rows W[p, r] = A[i, r] B[j, r] first written to `wPtr` ((IJ) × R scratch: the T
 * buffer, free once modes 1 and 2 are done). Then a GEMM blocked like ttm3: rows p in blocks that
 * stay in cache, a 4 (k) × 4 (r) block of M3 in registers while p runs through the block.
 */
export function mttkrp3(xPtr: usize, I: i32, J: i32, K: i32, aPtr: usize, bPtr: usize, R: i32, mPtr: usize, wPtr: usize): void {
  const xs = <usize>K << 3;
  const rs = <usize>R << 3;
  const IJ = I * J;
  // W = A ⊙ B (row p = i*J + j).
  let w = wPtr;
  for (let i = 0; i < I; i++) {
    const a = aPtr + <usize>i * rs;
    for (let j = 0; j < J; j++) {
      const b = bPtr + <usize>j * rs;
      let r = 0;
      for (; r + 2 <= R; r += 2) {
        const ro = <usize>r << 3;
        st(w + ro, f64x2.mul(ld(a + ro), ld(b + ro)));
      }
      if (r < R) {
        const ro = <usize>r << 3;
        store<f64>(w + ro, load<f64>(a + ro) * load<f64>(b + ro));
      }
      w += rs;
    }
  }
  memory.fill(mPtr, 0, <usize>K * rs);
  // ~128 KiB of X per block.
  const PB = max(16, 16384 / max(K, 1));
  for (let p0 = 0; p0 < IJ; p0 += PB) {
    const pe = min(p0 + PB, IJ);
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const ko = <usize>k << 3;
      const m0 = mPtr + <usize>k * rs, m1 = m0 + rs, m2 = m1 + rs, m3 = m2 + rs;
      let r = 0;
      for (; r + 4 <= R; r += 4) {
        const ro = <usize>r << 3;
        let a00 = ld(m0 + ro), a01 = ld(m0 + ro + 16), a10 = ld(m1 + ro), a11 = ld(m1 + ro + 16);
        let a20 = ld(m2 + ro), a21 = ld(m2 + ro + 16), a30 = ld(m3 + ro), a31 = ld(m3 + ro + 16);
        let xp = xPtr + <usize>p0 * xs + ko;
        let wp = wPtr + <usize>p0 * rs + ro;
        for (let p = p0; p < pe; p++) {
          const w0 = ld(wp), w1 = ld(wp + 16);
          const v0 = v128.load64_splat(xp), v1 = v128.load64_splat(xp + 8);
          const v2 = v128.load64_splat(xp + 16), v3 = v128.load64_splat(xp + 24);
          a00 = fma(a00, v0, w0); a01 = fma(a01, v0, w1);
          a10 = fma(a10, v1, w0); a11 = fma(a11, v1, w1);
          a20 = fma(a20, v2, w0); a21 = fma(a21, v2, w1);
          a30 = fma(a30, v3, w0); a31 = fma(a31, v3, w1);
          xp += xs;
          wp += rs;
        }
        st(m0 + ro, a00); st(m0 + ro + 16, a01); st(m1 + ro, a10); st(m1 + ro + 16, a11);
        st(m2 + ro, a20); st(m2 + ro + 16, a21); st(m3 + ro, a30); st(m3 + ro + 16, a31);
      }
      for (; r + 2 <= R; r += 2) {
        const ro = <usize>r << 3;
        let a0 = ld(m0 + ro), a1 = ld(m1 + ro), a2 = ld(m2 + ro), a3 = ld(m3 + ro);
        let xp = xPtr + <usize>p0 * xs + ko;
        let wp = wPtr + <usize>p0 * rs + ro;
        for (let p = p0; p < pe; p++) {
          const w0 = ld(wp);
          a0 = fma(a0, v128.load64_splat(xp), w0);
          a1 = fma(a1, v128.load64_splat(xp + 8), w0);
          a2 = fma(a2, v128.load64_splat(xp + 16), w0);
          a3 = fma(a3, v128.load64_splat(xp + 24), w0);
          xp += xs;
          wp += rs;
        }
        st(m0 + ro, a0); st(m1 + ro, a1); st(m2 + ro, a2); st(m3 + ro, a3);
      }
      if (r < R) {
        // Odd R, last column: the four k of this block are contiguous in X, so SIMD over k.
        const ro = <usize>r << 3;
        let s01 = f64x2.splat(0), s23 = f64x2.splat(0);
        let xp = xPtr + <usize>p0 * xs + ko;
        let wp = wPtr + <usize>p0 * rs + ro;
        for (let p = p0; p < pe; p++) {
          const wv = v128.load64_splat(wp);
          s01 = fma(s01, ld(xp), wv);
          s23 = fma(s23, ld(xp + 16), wv);
          xp += xs;
          wp += rs;
        }
        store<f64>(m0 + ro, load<f64>(m0 + ro) + f64x2.extract_lane(s01, 0));
        store<f64>(m1 + ro, load<f64>(m1 + ro) + f64x2.extract_lane(s01, 1));
        store<f64>(m2 + ro, load<f64>(m2 + ro) + f64x2.extract_lane(s23, 0));
        store<f64>(m3 + ro, load<f64>(m3 + ro) + f64x2.extract_lane(s23, 1));
      }
    }
    for (; k < K; k++) {
      const ko = <usize>k << 3;
      const m0 = mPtr + <usize>k * rs;
      let r = 0;
      for (; r + 2 <= R; r += 2) {
        const ro = <usize>r << 3;
        let a0 = ld(m0 + ro);
        let xp = xPtr + <usize>p0 * xs + ko;
        let wp = wPtr + <usize>p0 * rs + ro;
        for (let p = p0; p < pe; p++) {
          a0 = fma(a0, v128.load64_splat(xp), ld(wp));
          xp += xs;
          wp += rs;
        }
        st(m0 + ro, a0);
      }
      if (r < R) {
        const ro = <usize>r << 3;
        let s = load<f64>(m0 + ro);
        let xp = xPtr + <usize>p0 * xs + ko;
        let wp = wPtr + <usize>p0 * rs + ro;
        for (let p = p0; p < pe; p++) {
          s += load<f64>(xp) * load<f64>(wp);
          xp += xs;
          wp += rs;
        }
        store<f64>(m0 + ro, s);
      }
    }
  }
}

/** G = AᵀA (R × R) for an n × R matrix A: rank-one updates, four rows of A per pass over G. */
export function gram(aPtr: usize, n: i32, R: i32, gPtr: usize): void {
  const rs = <usize>R << 3;
  memory.fill(gPtr, 0, <usize>R * rs);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const r0 = aPtr + <usize>i * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
    for (let a = 0; a < R; a++) {
      const ao = <usize>a << 3;
      const x0 = v128.load64_splat(r0 + ao), x1 = v128.load64_splat(r1 + ao);
      const x2 = v128.load64_splat(r2 + ao), x3 = v128.load64_splat(r3 + ao);
      const g = gPtr + <usize>a * rs;
      let b = 0;
      for (; b + 2 <= R; b += 2) {
        const bo = <usize>b << 3;
        let acc = ld(g + bo);
        acc = fma(acc, x0, ld(r0 + bo));
        acc = fma(acc, x1, ld(r1 + bo));
        acc = fma(acc, x2, ld(r2 + bo));
        acc = fma(acc, x3, ld(r3 + bo));
        st(g + bo, acc);
      }
      if (b < R) {
        const bo = <usize>b << 3;
        store<f64>(g + bo, load<f64>(g + bo) + f64x2.extract_lane(x0, 0) * load<f64>(r0 + bo) + f64x2.extract_lane(x1, 0) * load<f64>(r1 + bo)
          + f64x2.extract_lane(x2, 0) * load<f64>(r2 + bo) + f64x2.extract_lane(x3, 0) * load<f64>(r3 + bo));
      }
    }
  }
  for (; i < n; i++) {
    const row = aPtr + <usize>i * rs;
    for (let a = 0; a < R; a++) {
      const x = v128.load64_splat(row + (<usize>a << 3));
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
 * G (+)= M Mᵀ for a rows × cols matrix M (row-major): the Gram matrix of an unfolding, e.g.
 * X_(1) X_(1)ᵀ with M = X as I × (JK), for the HOSVD / Jennrich inits. Dot products of contiguous
 * rows, SIMD along the row, 2 × 2 blocks of G per pass. `accumulate` = 0 overwrites G.
 */
export function gramRows(mPtr: usize, rows: i32, cols: i32, gPtr: usize, accumulate: i32): void {
  const cs = <usize>cols << 3;
  const gs = <usize>rows << 3;
  if (!accumulate) memory.fill(gPtr, 0, <usize>rows * gs);
  for (let a = 0; a < rows; a += 2) {
    const ha = a + 1 < rows;
    const ra0 = mPtr + <usize>a * cs;
    const ra1 = ha ? ra0 + cs : ra0;
    for (let b = a; b < rows; b += 2) {
      const hb = b + 1 < rows;
      const rb0 = mPtr + <usize>b * cs;
      const rb1 = hb ? rb0 + cs : rb0;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let c = 0;
      for (; c + 2 <= cols; c += 2) {
        const co = <usize>c << 3;
        const x0 = ld(ra0 + co), x1 = ld(ra1 + co), y0 = ld(rb0 + co), y1 = ld(rb1 + co);
        s00 = fma(s00, x0, y0); s01 = fma(s01, x0, y1);
        s10 = fma(s10, x1, y0); s11 = fma(s11, x1, y1);
      }
      let d00 = f64x2.extract_lane(s00, 0) + f64x2.extract_lane(s00, 1);
      let d01 = f64x2.extract_lane(s01, 0) + f64x2.extract_lane(s01, 1);
      let d10 = f64x2.extract_lane(s10, 0) + f64x2.extract_lane(s10, 1);
      let d11 = f64x2.extract_lane(s11, 0) + f64x2.extract_lane(s11, 1);
      if (c < cols) {
        const co = <usize>c << 3;
        const x0 = load<f64>(ra0 + co), x1 = load<f64>(ra1 + co), y0 = load<f64>(rb0 + co), y1 = load<f64>(rb1 + co);
        d00 += x0 * y0; d01 += x0 * y1; d10 += x1 * y0; d11 += x1 * y1;
      }
      addSym(gPtr, gs, a, b, d00);
      if (hb) addSym(gPtr, gs, a, b + 1, d01);
      if (ha && b !== a) addSym(gPtr, gs, a + 1, b, d10);
      if (ha && hb) addSym(gPtr, gs, a + 1, b + 1, d11);
    }
  }
}

@inline function addSym(g: usize, gs: usize, a: i32, b: i32, v: f64): void {
  const p = g + <usize>a * gs + (<usize>b << 3);
  store<f64>(p, load<f64>(p) + v);
  if (a !== b) {
    const q = g + <usize>b * gs + (<usize>a << 3);
    store<f64>(q, load<f64>(q) + v);
  }
}

/** Cholesky V = L Lᵀ in place (lower triangle). 1 on success, 0 if V is not numerically positive definite. */
function cholesky(vPtr: usize, R: i32): i32 {
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
  return 1;
}

/**
 * Cholesky V = L Lᵀ in place (lower triangle), then M := M V⁻¹ row by row (n rows of R).
 * Returns 1 on success, 0 when V is not numerically positive definite (M untouched).
 */
export function choleskySolve(vPtr: usize, R: i32, mPtr: usize, n: i32): i32 {
  if (!cholesky(vPtr, R)) return 0;
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

/** dst (cols × rows) = srcᵀ for a rows × cols src. */
function transpose(src: usize, rows: i32, cols: i32, dst: usize): void {
  for (let i = 0; i < rows; i++) {
    const s = src + (<usize>(i * cols) << 3);
    for (let j = 0; j < cols; j++) store<f64>(dst + (<usize>(j * rows + i) << 3), load<f64>(s + (<usize>j << 3)));
  }
}

/** y[0..n) *= a */
@inline function scaleRow(y: usize, n: i32, a: f64): void {
  const av = f64x2.splat(a);
  let c = 0;
  for (; c + 2 <= n; c += 2) st(y + (<usize>c << 3), f64x2.mul(ld(y + (<usize>c << 3)), av));
  if (c < n) store<f64>(y + (<usize>c << 3), load<f64>(y + (<usize>c << 3)) * a);
}

/** y[0..n) -= a · x[0..n) */
@inline function axpyNeg(y: usize, x: usize, a: f64, n: i32): void {
  const av = f64x2.splat(a);
  let c = 0;
  for (; c + 2 <= n; c += 2) {
    const o = <usize>c << 3;
    st(y + o, f64x2.sub(ld(y + o), f64x2.mul(av, ld(x + o))));
  }
  if (c < n) {
    const o = <usize>c << 3;
    store<f64>(y + o, load<f64>(y + o) - a * load<f64>(x + o));
  }
}

/**
 * One ALS factor update, fused: V = G1 ∘ G2 + l2·I (a copy kept at vbakPtr for the caller's ridge
 * fallback), Cholesky, F = M V⁻¹, and — if `normalize` — unit columns of F. The triangular solves
 * run on Mᵀ (R × n, written into F's buffer) so every step is an axpy over n contiguous rows.
 * M (n × R) ends up holding F too. Returns 0, touching neither M nor F, if V is not PD.
 */
export function updateFactor(g1Ptr: usize, g2Ptr: usize, R: i32, l2: f64, vPtr: usize, vbakPtr: usize, mPtr: usize, n: i32, fPtr: usize, normalize: i32): i32 {
  const RR = R * R;
  for (let p = 0; p < RR; p++) {
    const o = <usize>p << 3;
    store<f64>(vPtr + o, load<f64>(g1Ptr + o) * load<f64>(g2Ptr + o));
  }
  if (l2 > 0) for (let a = 0; a < R; a++) {
    const o = <usize>(a * R + a) << 3;
    store<f64>(vPtr + o, load<f64>(vPtr + o) + l2);
  }
  memory.copy(vbakPtr, vPtr, <usize>RR << 3);
  if (!cholesky(vPtr, R)) return 0;
  const ns = <usize>n << 3;
  transpose(mPtr, n, R, fPtr); // F holds Mᵀ: row i = component i over the n rows
  for (let i = 0; i < R; i++) {
    const yi = fPtr + <usize>i * ns;
    const li = vPtr + (<usize>(i * R) << 3);
    for (let k = 0; k < i; k++) axpyNeg(yi, fPtr + <usize>k * ns, load<f64>(li + (<usize>k << 3)), n);
    scaleRow(yi, n, 1.0 / load<f64>(li + (<usize>i << 3)));
  }
  for (let i = R - 1; i >= 0; i--) {
    const yi = fPtr + <usize>i * ns;
    for (let k = i + 1; k < R; k++) axpyNeg(yi, fPtr + <usize>k * ns, load<f64>(vPtr + (<usize>(k * R + i) << 3)), n);
    scaleRow(yi, n, 1.0 / load<f64>(vPtr + (<usize>(i * R + i) << 3)));
  }
  // Unit columns only after the back substitution, which needs the unscaled solution.
  if (normalize) for (let i = 0; i < R; i++) {
    // Column i of F is row i of the transposed buffer: its norm is one contiguous pass.
    const yi = fPtr + <usize>i * ns;
    let acc = f64x2.splat(0);
    let c = 0;
    for (; c + 2 <= n; c += 2) { const v = ld(yi + (<usize>c << 3)); acc = fma(acc, v, v); }
    let ss = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    if (c < n) { const v = load<f64>(yi + (<usize>c << 3)); ss += v * v; }
    if (ss > 0) scaleRow(yi, n, 1.0 / Math.sqrt(ss));
  }
  transpose(fPtr, R, n, mPtr);
  memory.copy(fPtr, mPtr, <usize>(n * R) << 3);
  return 1;
}

/**
 * ‖X − [[A, B, C]]‖², entry by entry (no cancellation). X̂ = W Cᵀ with W = A ⊙ B ((IJ) × R, written
 * to `wPtr`) and Cᵀ (R × K, written to `ctPtr`); blocked like ttm3 (4 rows × 4 k of X̂ in
 * registers), each block subtracted from X and squared without ever being stored.
 */
export function residualSq(xPtr: usize, I: i32, J: i32, K: i32, aPtr: usize, bPtr: usize, cPtr: usize, R: i32, wPtr: usize, ctPtr: usize): f64 {
  const xs = <usize>K << 3;
  const rs = <usize>R << 3;
  const IJ = I * J;
  let w = wPtr;
  for (let i = 0; i < I; i++) {
    const a = aPtr + <usize>i * rs;
    for (let j = 0; j < J; j++) {
      const b = bPtr + <usize>j * rs;
      for (let r = 0; r < R; r++) {
        const ro = <usize>r << 3;
        store<f64>(w + ro, load<f64>(a + ro) * load<f64>(b + ro));
      }
      w += rs;
    }
  }
  for (let k = 0; k < K; k++) for (let r = 0; r < R; r++) {
    store<f64>(ctPtr + ((<usize>r * <usize>K + <usize>k) << 3), load<f64>(cPtr + ((<usize>k * <usize>R + <usize>r) << 3)));
  }
  let sq = f64x2.splat(0);
  let tail = 0.0;
  let p = 0;
  for (; p + 4 <= IJ; p += 4) {
    const w0 = wPtr + <usize>p * rs, w1 = w0 + rs, w2 = w1 + rs, w3 = w2 + rs;
    const x0 = xPtr + <usize>p * xs, x1 = x0 + xs, x2 = x1 + xs, x3 = x2 + xs;
    let k = 0;
    for (; k + 4 <= K; k += 4) {
      const ko = <usize>k << 3;
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0), a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0), a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      let cp = ctPtr + ko;
      for (let r = 0; r < R; r++) {
        const ro = <usize>r << 3;
        const c0 = ld(cp), c1 = ld(cp + 16);
        const v0 = v128.load64_splat(w0 + ro), v1 = v128.load64_splat(w1 + ro);
        const v2 = v128.load64_splat(w2 + ro), v3 = v128.load64_splat(w3 + ro);
        a00 = fma(a00, v0, c0); a01 = fma(a01, v0, c1);
        a10 = fma(a10, v1, c0); a11 = fma(a11, v1, c1);
        a20 = fma(a20, v2, c0); a21 = fma(a21, v2, c1);
        a30 = fma(a30, v3, c0); a31 = fma(a31, v3, c1);
        cp += xs;
      }
      let d = f64x2.sub(ld(x0 + ko), a00); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x0 + ko + 16), a01); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x1 + ko), a10); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x1 + ko + 16), a11); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x2 + ko), a20); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x2 + ko + 16), a21); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x3 + ko), a30); sq = fma(sq, d, d);
      d = f64x2.sub(ld(x3 + ko + 16), a31); sq = fma(sq, d, d);
    }
    for (; k < K; k++) {
      const ko = <usize>k << 3;
      let s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
      for (let r = 0; r < R; r++) {
        const ro = <usize>r << 3;
        const c = load<f64>(ctPtr + <usize>r * xs + ko);
        s0 += load<f64>(w0 + ro) * c; s1 += load<f64>(w1 + ro) * c;
        s2 += load<f64>(w2 + ro) * c; s3 += load<f64>(w3 + ro) * c;
      }
      const d0 = load<f64>(x0 + ko) - s0, d1 = load<f64>(x1 + ko) - s1;
      const d2 = load<f64>(x2 + ko) - s2, d3 = load<f64>(x3 + ko) - s3;
      tail += d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3;
    }
  }
  for (; p < IJ; p++) {
    const w0 = wPtr + <usize>p * rs;
    const x0 = xPtr + <usize>p * xs;
    for (let k = 0; k < K; k++) {
      const ko = <usize>k << 3;
      let s0 = 0.0;
      for (let r = 0; r < R; r++) s0 += load<f64>(w0 + (<usize>r << 3)) * load<f64>(ctPtr + <usize>r * xs + ko);
      const d0 = load<f64>(x0 + ko) - s0;
      tail += d0 * d0;
    }
  }
  return f64x2.extract_lane(sq, 0) + f64x2.extract_lane(sq, 1) + tail;
}
