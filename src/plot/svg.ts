/**
 * A dependency-free line plot as an SVG string (`testbeds hmm experiment`, `testbeds nce`): series
 * of points with optional min–max bars, dashed or solid, hollow markers for capped points, and a
 * legend. The y axis is logarithmic; the x axis logarithmic (default) or linear.
 */
export interface Series {
  name: string;
  points: { x: number; y: number; lo?: number; hi?: number }[];
  color: string;
  dashed?: boolean;
  markers?: boolean;
  /** Indices of points drawn hollow (e.g. runs stopped at a step cap: a lower bound, not a value). */
  hollow?: ReadonlySet<number>;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** 'log' (default) or 'linear' x axis. */
  xScale?: 'log' | 'linear';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function logLogSvg(series: Series[], opts: PlotOptions): string {
  const W = opts.width ?? 720, H = opts.height ?? 440;
  const m = { left: 70, right: 220, top: 40, bottom: 55 };
  const xs: number[] = [], ys: number[] = [];
  for (const s of series)
    for (const p of s.points) {
      if (p.x > 0 || opts.xScale === 'linear') xs.push(p.x);
      for (const y of [p.y, p.lo, p.hi]) if (y !== undefined && y > 0 && Number.isFinite(y)) ys.push(y);
    }
  const linX = opts.xScale === 'linear';
  const fx = linX ? (x: number) => x : Math.log10;
  const lx0 = linX ? Math.min(...xs) : Math.floor(Math.log10(Math.min(...xs)));
  const lx1 = linX ? Math.max(...xs) : Math.ceil(Math.log10(Math.max(...xs)));
  const ly0 = Math.floor(Math.log10(Math.min(...ys))), ly1 = Math.ceil(Math.log10(Math.max(...ys)));
  const px = (x: number) => m.left + ((fx(x) - lx0) / (lx1 - lx0 || 1)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((Math.log10(y) - ly0) / Math.max(ly1 - ly0, 1)) * (H - m.top - m.bottom);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.right / 2 + m.left / 2}" y="22" text-anchor="middle" font-size="14">${esc(opts.title)}</text>`);
  if (linX) {
    const ticks = linearTicks(lx0, lx1);
    for (const t of ticks) {
      const x = px(t);
      out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${H - m.bottom}" stroke="#ddd"/>`);
      out.push(`<text x="${x}" y="${H - m.bottom + 16}" text-anchor="middle">${t}</text>`);
    }
  } else {
    for (let e = lx0; e <= lx1; e++) {
      const x = px(10 ** e);
      out.push(`<line x1="${x}" y1="${m.top}" x2="${x}" y2="${H - m.bottom}" stroke="#ddd"/>`);
      out.push(`<text x="${x}" y="${H - m.bottom + 16}" text-anchor="middle">10<tspan dy="-6" font-size="9">${e}</tspan></text>`);
    }
  }
  for (let e = ly0; e <= ly1; e++) {
    const y = py(10 ** e);
    out.push(`<line x1="${m.left}" y1="${y}" x2="${W - m.right}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${m.left - 8}" y="${y + 4}" text-anchor="end">10<tspan dy="-6" font-size="9">${e}</tspan></text>`);
  }
  out.push(`<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(m.left + W - m.right) / 2}" y="${H - 15}" text-anchor="middle">${esc(opts.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(opts.yLabel)}</text>`);
  series.forEach((s, i) => {
    const keep = s.points.map((p, j) => ({ p, j })).filter(({ p }) => (linX || p.x > 0) && p.y > 0 && Number.isFinite(p.y));
    const pts = keep.map(({ p }) => p);
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${pts.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const { p, j } of keep) {
      if (p.lo !== undefined && p.hi !== undefined && p.lo > 0) out.push(`<line x1="${px(p.x)}" y1="${py(p.lo)}" x2="${px(p.x)}" y2="${py(p.hi)}" stroke="${s.color}"/>`);
      const fill = s.hollow?.has(j) ? `fill="white" stroke="${s.color}"` : `fill="${s.color}"`;
      if (s.markers !== false) out.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" ${fill}/>`);
    }
    const ly = m.top + 10 + i * 20;
    out.push(`<line x1="${W - m.right + 12}" y1="${ly}" x2="${W - m.right + 40}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - m.right + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** About six round ticks covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
function linearTicks(lo: number, hi: number): number[] {
  const span = hi - lo || 1;
  const raw = span / 6;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((k) => k * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + 1e-9 * span; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

/** One attention map: rows = queries, columns = keys, values in [0, 1]; `marks` are (row, column) cells outlined (e.g. the stack-like target). */
export interface Heatmap {
  title: string;
  size: number;
  /** size·size values, row-major. */
  values: ArrayLike<number>;
  marks?: [number, number][];
  /** Tick labels along both axes (e.g. the tokens), optional. */
  labels?: string[];
}

/** Heatmaps in a grid of `columns` (white = 0, dark blue = 1; values below 0.025 are left white) with a shared title; dependency-free SVG. */
export function heatmapGridSvg(maps: Heatmap[], opts: { title: string; columns: number; cell?: number }): string {
  if (!Array.isArray(maps) || maps.length === 0) throw new Error('heatmapGridSvg: maps must be a non-empty array');
  if (!Number.isInteger(opts.columns) || opts.columns < 1) throw new Error(`heatmapGridSvg: columns must be an integer ≥ 1, got ${opts.columns}`);
  const cell = opts.cell ?? 5;
  const n = Math.max(...maps.map((m) => m.size));
  const pad = 34, box = n * cell;
  const cols = Math.min(opts.columns, maps.length), rows = Math.ceil(maps.length / cols);
  const W = cols * (box + pad) + pad, H = 40 + rows * (box + pad + 12);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10">`, `<rect width="${W}" height="${H}" fill="white"/>`, `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(opts.title)}</text>`];
  maps.forEach((m, k) => {
    if (m.values.length !== m.size * m.size) throw new Error(`heatmapGridSvg: map ${k} has ${m.values.length} values, expected ${m.size * m.size}`);
    const x0 = pad + (k % cols) * (box + pad), y0 = 40 + Math.floor(k / cols) * (box + pad + 12) + 12;
    out.push(`<text x="${x0}" y="${y0 - 4}">${esc(m.title)}</text>`);
    // 20 shades; runs of equal shade along a row are one rect (keeps a 32-map page well under 1 MB).
    const shade = (i: number, j: number) => Math.round(20 * Math.max(0, Math.min(1, m.values[i * m.size + j])));
    for (let i = 0; i < m.size; i++)
      for (let j = 0; j <= i; ) {
        const q = shade(i, j);
        let e = j + 1;
        while (e <= i && shade(i, e) === q) e++;
        if (q > 0) {
          const c = Math.round(255 * (1 - q / 20));
          out.push(`<rect x="${x0 + j * cell}" y="${y0 + i * cell}" width="${(e - j) * cell}" height="${cell}" fill="rgb(${c},${c},255)"/>`);
        }
        j = e;
      }
    for (const [i, j] of m.marks ?? []) out.push(`<rect x="${x0 + j * cell + 0.5}" y="${y0 + i * cell + 0.5}" width="${cell - 1}" height="${cell - 1}" fill="none" stroke="#d62728" stroke-width="0.8"/>`);
    out.push(`<rect x="${x0}" y="${y0}" width="${m.size * cell}" height="${m.size * cell}" fill="none" stroke="#333"/>`);
    if (m.labels) m.labels.forEach((s, t) => out.push(`<text x="${x0 - 3}" y="${y0 + t * cell + cell - 0.5}" text-anchor="end" font-size="${Math.max(4, cell)}">${esc(s)}</text>`));
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}
