/**
 * Deterministic elementary functions (log, exp, pow, cos/sin) built only from IEEE-754 +, −, ×, ÷
 * and sqrt, which every engine rounds the same way. Math.log/exp/pow/cos are not specified to the
 * last bit: Node 20's V8 and Chromium 156's differ on 3–10% of arguments (measured here), and that
 * was enough to make a seeded run differ between Node and the browser (a Box–Muller normal, a
 * line-search step, Adam's bias correction). Every seeded path uses these instead; they are within
 * a few ulp of Math.* (tested), and bit-identical everywhere.
 */

const view = new DataView(new ArrayBuffer(8));
// fdlibm's split of ln 2: LN2_HI has 32 trailing zero bits, so k·LN2_HI is exact for |k| < 2^20.
const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.44269504088896338700;
const SQRT2 = 1.4142135623730951;
const HALF_PI = 1.5707963267948966;

/** 2^k for integer k in [-1022, 1023], from its bits. */
function pow2(k: number): number {
  view.setUint32(0, (k + 1023) << 20);
  view.setUint32(4, 0);
  return view.getFloat64(0);
}

/** Natural logarithm. */
export function log(x: number): number {
  if (Number.isNaN(x) || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: lift subnormals into the normal range
    e = -54;
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  view.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = view.getFloat64(0); // x = m · 2^e, m in [1, 2)
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  // log m = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.1716: the series in z = s² converges fast.
  const s = (m - 1) / (m + 1);
  const z = s * s;
  let p = 1 / 25;
  for (let k = 11; k >= 0; k--) p = 1 / (2 * k + 1) + z * p;
  return e * LN2_HI + (e * LN2_LO + 2 * s * p);
}

/** e^x. */
export function exp(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.1332191019412) return 0;
  const k = Math.round(x * INV_LN2);
  const r = x - k * LN2_HI - k * LN2_LO; // |r| ≤ ln2/2
  let p = 1;
  for (let i = 17; i >= 1; i--) p = 1 + (r / i) * p;
  if (k > 1023) return p * pow2(1023) * pow2(k - 1023);
  if (k < -1022) return p * pow2(k + 1000) * pow2(-1000);
  return p * pow2(k);
}

/** x^y for x > 0 (and the trivial cases); integer exponents go through `powInt`. */
export function pow(x: number, y: number): number {
  if (Number.isInteger(y) && Math.abs(y) <= 1 << 30) return powInt(x, y);
  if (x === 1 || y === 0) return 1;
  if (Number.isNaN(x) || Number.isNaN(y) || x < 0) return NaN;
  if (x === 0) return y > 0 ? 0 : Infinity;
  return exp(y * log(x));
}

/** x^n for integer n by repeated squaring (a fixed sequence of products). */
export function powInt(x: number, n: number): number {
  if (!Number.isInteger(n)) throw new RangeError(`powInt: exponent must be an integer, got ${n}`);
  let base = n < 0 ? 1 / x : x;
  let k = Math.abs(n);
  let acc = 1;
  while (k > 0) {
    if (k & 1) acc *= base;
    base *= base;
    k = Math.floor(k / 2);
  }
  return acc;
}

/** Taylor series of sin and cos on |θ| ≤ π/4. */
function sinSmall(t: number): number {
  const z = t * t;
  let p = 1;
  for (let n = 21; n >= 3; n -= 2) p = 1 - (z / (n * (n - 1))) * p;
  return t * p;
}
function cosSmall(t: number): number {
  const z = t * t;
  let p = 1;
  for (let n = 20; n >= 2; n -= 2) p = 1 - (z / (n * (n - 1))) * p;
  return p;
}

/** cos(2π·t) and sin(2π·t), reduced exactly in "turns" (t mod 1 and quarter turns are exact). */
export function cosTurns(t: number): number {
  return turns(t, 0);
}
export function sinTurns(t: number): number {
  return turns(t, 3); // sin(2πt) = cos(2πt − π/2): three quarter turns ahead
}

function turns(t: number, shift: number): number {
  if (!Number.isFinite(t)) return NaN;
  const f = (t - Math.floor(t)) * 4; // exact
  const q0 = Math.floor(f);
  const a = f - q0; // in [0, 1): the angle a·π/2 inside quarter q
  const q = (q0 + shift) & 3;
  // cos(qπ/2 + φ) for φ = aπ/2; above π/4 use the complement so the series argument stays ≤ π/4.
  const c = a <= 0.5 ? cosSmall(a * HALF_PI) : sinSmall((1 - a) * HALF_PI);
  const s = a <= 0.5 ? sinSmall(a * HALF_PI) : cosSmall((1 - a) * HALF_PI);
  return q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
}

/** cos x and sin x for moderate |x| (reduced through turns: error grows like |x|·2^-53). */
export function cos(x: number): number {
  return cosTurns(x / (2 * Math.PI));
}
export function sin(x: number): number {
  return sinTurns(x / (2 * Math.PI));
}

/** √(Σ x_i²) without overflow, by scaling with the largest |x_i| (Math.hypot's algorithm is engine-defined). */
export function hypot(...xs: number[]): number {
  let m = 0;
  for (const x of xs) {
    const a = Math.abs(x);
    if (a === Infinity) return Infinity;
    if (a > m || Number.isNaN(a)) m = a;
  }
  if (m === 0 || Number.isNaN(m)) return m;
  let s = 0;
  for (const x of xs) {
    const r = x / m;
    s += r * r;
  }
  return m * Math.sqrt(s);
}
