// Permutation groups used by the group tests, built from their classical definitions.

/** 0-based image array from 1-based cycles, e.g. cycles(11, [[3,7,11,8],[4,10,5,6]]). */
export function cycles(m: number, cs: number[][], oneBased = true): number[] {
  const p = Array.from({ length: m }, (_, i) => i);
  const off = oneBased ? 1 : 0;
  for (const c of cs) for (let i = 0; i < c.length; i++) p[c[i] - off] = c[(i + 1) % c.length] - off;
  return p;
}

export function symmetricGens(n: number): number[][] {
  const cyc = Array.from({ length: n }, (_, i) => (i + 1) % n);
  const swap = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : i === 1 ? 0 : i));
  return [cyc, swap];
}

export function alternatingGens(n: number): number[][] {
  // 3-cycles (0 1 i), i = 2..n-1
  const out: number[][] = [];
  for (let i = 2; i < n; i++) out.push(cycles(n, [[0, 1, i]], false));
  return out;
}

/** Dihedral group of order 2n on n points. */
export function dihedralGens(n: number): number[][] {
  return [Array.from({ length: n }, (_, i) => (i + 1) % n), Array.from({ length: n }, (_, i) => (n - i) % n)];
}

/** PSL(2,p), p prime, on the projective line {0..p-1, ∞ = p}: x → x+1 and x → -1/x. */
export function psl2PrimeGens(p: number): number[][] {
  const inf = p;
  const inv = (x: number) => {
    for (let y = 1; y < p; y++) if ((x * y) % p === 1) return y;
    throw new Error('no inverse');
  };
  const t = Array.from({ length: p + 1 }, (_, x) => (x === inf ? inf : (x + 1) % p));
  const s = Array.from({ length: p + 1 }, (_, x) => (x === inf ? 0 : x === 0 ? inf : (p - inv(x)) % p));
  return [t, s];
}

/** PSL(2,8) = SL(2,8) on the 9 points of the projective line over GF(8) = GF(2)[a]/(a^3+a+1). */
export function psl28Gens(): number[][] {
  const mul = (x: number, y: number) => {
    let r = 0;
    for (let i = 0; i < 3; i++) if (y & (1 << i)) r ^= x << i;
    for (let i = 4; i >= 3; i--) if (r & (1 << i)) r ^= 0b1011 << (i - 3);
    return r;
  };
  const inv = (x: number) => {
    for (let y = 1; y < 8; y++) if (mul(x, y) === 1) return y;
    throw new Error('no inverse');
  };
  const inf = 8;
  const trans = (a: number) => Array.from({ length: 9 }, (_, x) => (x === inf ? inf : x ^ a));
  const s = Array.from({ length: 9 }, (_, x) => (x === inf ? 0 : x === 0 ? inf : inv(x)));
  return [trans(1), trans(2), trans(4), s];
}

/** SL(2,5) acting on the 24 non-zero vectors of GF(5)^2 (perfect, centre C2: factors A5, C2). */
export function sl25Gens(): number[][] {
  const vecs: [number, number][] = [];
  for (let a = 0; a < 5; a++) for (let b = 0; b < 5; b++) if (a || b) vecs.push([a, b]);
  const idx = (v: [number, number]) => vecs.findIndex((w) => w[0] === v[0] && w[1] === v[1]);
  const act = (m: number[]) => vecs.map(([x, y]) => idx([(m[0] * x + m[1] * y) % 5, (m[2] * x + m[3] * y) % 5]));
  return [act([1, 1, 0, 1]), act([0, 4, 1, 0])];
}

/** Direct product of two groups on disjoint point sets. */
export function directProduct(a: number[][], ma: number, b: number[][], mb: number): number[][] {
  const m = ma + mb;
  const left = a.map((g) => Array.from({ length: m }, (_, i) => (i < ma ? g[i] : i)));
  const right = b.map((g) => Array.from({ length: m }, (_, i) => (i < ma ? i : ma + g[i - ma])));
  return [...left, ...right];
}

/** Wreath product H ≀ S_k in the imprimitive action on k·mh points. */
export function wreathWithSymmetric(h: number[][], mh: number, k: number): number[][] {
  const m = mh * k;
  const base = h.map((g) => Array.from({ length: m }, (_, i) => (i < mh ? g[i] : i)));
  const top = symmetricGens(k).map((s) => Array.from({ length: m }, (_, i) => s[Math.floor(i / mh)] * mh + (i % mh)));
  return [...base, ...top];
}

export const M11 = [cycles(11, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]), cycles(11, [[3, 7, 11, 8], [4, 10, 5, 6]])];
export const M12 = [
  cycles(12, [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]]),
  cycles(12, [[3, 7, 11, 8], [4, 10, 5, 6]]),
  cycles(12, [[1, 12], [2, 11], [3, 6], [4, 8], [5, 9], [7, 10]]),
];

/** Closure of generators by BFS (reference for the order): the set of all products. */
export function closureSize(gens: number[][], m: number): number {
  const id = Array.from({ length: m }, (_, i) => i);
  const seen = new Set<string>([id.join(',')]);
  const queue = [id];
  for (let q = 0; q < queue.length; q++) {
    for (const g of gens) {
      const p = queue[q].map((x) => g[x]);
      const k = p.join(',');
      if (!seen.has(k)) {
        seen.add(k);
        queue.push(p);
      }
    }
  }
  return seen.size;
}
