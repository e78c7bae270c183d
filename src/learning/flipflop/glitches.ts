/**
 * Glitch counting for flip-flop language modelling (Liu, Ash, Goel, Krishnamurthy, Zhang 2023):
 * a glitch is a read (the bit after an `r` instruction) answered wrongly. Counts are kept per read
 * and per sequence (a sequence with at least one glitch), and reported with Wilson score intervals.
 */

/** Running glitch counts over many evaluated sequences. */
export interface GlitchCounts {
  /** Reads scored (positions with a label ≥ 0). */
  reads: number;
  /** Reads answered wrongly. */
  errors: number;
  /** Sequences scored (with at least one read). */
  sequences: number;
  /** Sequences with at least one wrong read. */
  sequencesWithError: number;
}

export function emptyCounts(): GlitchCounts {
  return { reads: 0, errors: 0, sequences: 0, sequencesWithError: 0 };
}

/**
 * Adds the glitches of one batch to `acc`: `predicted` and `labels` are (B·T), row-major (B, T);
 * a label of -1 marks a position that is not a read. Returns `acc`.
 */
export function countGlitches(acc: GlitchCounts, predicted: ArrayLike<number>, labels: ArrayLike<number>, B: number, T: number): GlitchCounts {
  if (!Number.isInteger(B) || B < 0 || !Number.isInteger(T) || T < 0) throw new Error(`countGlitches: B and T must be integers ≥ 0, got ${B}, ${T}`);
  if (predicted.length !== B * T || labels.length !== B * T) throw new Error(`countGlitches: expected ${B * T} predictions and labels, got ${predicted.length} and ${labels.length}`);
  for (let b = 0; b < B; b++) {
    let reads = 0;
    let errors = 0;
    for (let t = b * T, end = t + T; t < end; t++) {
      const y = labels[t];
      if (y < 0) continue;
      reads++;
      if (predicted[t] !== y) errors++;
    }
    if (reads === 0) continue;
    acc.reads += reads;
    acc.errors += errors;
    acc.sequences++;
    if (errors > 0) acc.sequencesWithError++;
  }
  return acc;
}

/** A proportion k/n with its two-sided Wilson score interval at confidence 1 − α (z = Φ⁻¹(1 − α/2)). */
export interface Proportion {
  k: number;
  n: number;
  rate: number;
  lo: number;
  hi: number;
}

/** z of a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes in n trials: centre (k + z²/2)/(n + z²), half-width
 * z·√(k(n−k)/n + z²/4)/(n + z²). Unlike the normal (Wald) interval it stays inside [0, 1] and is
 * not degenerate at k = 0, which is where glitch rates live (at k = 0, hi = z²/(n + z²) ≈ 3.84/n).
 */
export function wilson(k: number, n: number, z = Z95): Proportion {
  if (!Number.isInteger(n) || n < 1) throw new Error(`wilson: n must be an integer ≥ 1, got ${n}`);
  if (!Number.isInteger(k) || k < 0 || k > n) throw new Error(`wilson: k must be an integer in [0, n = ${n}], got ${k}`);
  if (!(z > 0 && Number.isFinite(z))) throw new Error(`wilson: z must be a positive number, got ${z}`);
  const z2 = z * z;
  const centre = (k + z2 / 2) / (n + z2);
  const half = (z * Math.sqrt((k * (n - k)) / n + z2 / 4)) / (n + z2);
  return { k, n, rate: k / n, lo: k === 0 ? 0 : Math.max(0, centre - half), hi: k === n ? 1 : Math.min(1, centre + half) };
}
