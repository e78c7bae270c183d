/**
 * Cost of a sweep from measured step times. A Transformer step costs about a + b·L seconds at a
 * fixed width, length and batch (embedding, loss and optimizer overhead plus L equal blocks), so
 * two measured depths fix the line and every other depth is read off it. Used for `--estimate`
 * (before anything is enqueued) and for the ETA while a queued sweep runs.
 */

export interface StepTime {
  depth: number;
  secondsPerStep: number;
}

/** Seconds per step as a function of depth: least squares on a + b·L (one point: proportional). */
export function stepTimeModel(points: StepTime[]): ((depth: number) => number) | null {
  const byDepth = new Map<number, number[]>();
  for (const p of points) if (Number.isFinite(p.secondsPerStep) && p.secondsPerStep > 0) (byDepth.get(p.depth) ?? byDepth.set(p.depth, []).get(p.depth)!).push(p.secondsPerStep);
  const xs = [...byDepth.keys()];
  if (xs.length === 0) return null;
  const ys = xs.map((d) => median(byDepth.get(d)!));
  if (xs.length === 1) return (L) => (ys[0] * L) / xs[0];
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = Math.max(0, sxy / sxx);
  const a = Math.max(0, my - b * mx);
  const exact = new Map(xs.map((x, i) => [x, ys[i]]));
  // A measured depth keeps its own time; others come from the line.
  return (L) => exact.get(L) ?? a + b * L;
}

function median(v: number[]): number {
  const s = [...v].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export interface GridCost {
  /** Core-seconds per depth (one cell). */
  perCell: { depth: number; secondsPerStep: number; seconds: number }[];
  /** Core-hours of the whole grid (rows × depths × steps). */
  coreHours: number;
}

/** Training cost of `rows` rows at each depth for `steps` steps (evaluation excluded). */
export function gridCost(model: (depth: number) => number, depths: number[], rows: number, steps: number): GridCost {
  const perCell = depths.map((depth) => ({ depth, secondsPerStep: model(depth), seconds: model(depth) * steps }));
  return { perCell, coreHours: (rows * perCell.reduce((a, c) => a + c.seconds, 0)) / 3600 };
}

/** Seconds left for cells with `remaining` steps each, spread over `parallel` runs at once. */
export function eta(model: (depth: number) => number, remaining: { depth: number; steps: number }[], parallel: number): number {
  return remaining.reduce((a, c) => a + c.steps * model(c.depth), 0) / Math.max(1, parallel);
}

/** "3 h 05 min", "12 min", "40 s". */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  if (h < 48) return `${h} h ${String(Math.round((seconds - 3600 * h) / 60)).padStart(2, '0')} min`;
  return `${(seconds / 86400).toFixed(1)} days`;
}
