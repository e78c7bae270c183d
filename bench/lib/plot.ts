/**
 * A tiny log–log SVG line plot (no dependencies), for benchmark results: one panel per call,
 * several series, decade ticks.
 */
export interface Series {
  name: string;
  points: [number, number][];
  /** Fixed colour index (so a series keeps its colour across panels); default its position. */
  color?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

/** One panel at (x0, y0) of size w×h, as SVG elements. */
export function logLogPanel(title: string, xLabel: string, yLabel: string, series: Series[], x0: number, y0: number, w: number, h: number): string {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (pts.length === 0) return '';
  const lx = (v: number) => Math.log10(v);
  let [xmin, xmax] = [Math.floor(Math.min(...pts.map((p) => lx(p[0])))), Math.ceil(Math.max(...pts.map((p) => lx(p[0]))))];
  let [ymin, ymax] = [Math.floor(Math.min(...pts.map((p) => lx(p[1])))), Math.ceil(Math.max(...pts.map((p) => lx(p[1]))))];
  if (xmax === xmin) xmax++;
  if (ymax === ymin) ymax++;
  const m = { l: 60, r: 170, t: 28, b: 40 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const X = (v: number) => x0 + m.l + ((lx(v) - xmin) / (xmax - xmin)) * pw;
  const Y = (v: number) => y0 + m.t + (1 - (lx(v) - ymin) / (ymax - ymin)) * ph;
  const out: string[] = [];
  out.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + 18}" text-anchor="middle" font-weight="bold">${esc(title)}</text>`);
  out.push(`<rect x="${x0 + m.l}" y="${y0 + m.t}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  for (let e = xmin; e <= xmax; e++) {
    const x = X(10 ** e);
    out.push(`<line x1="${x}" y1="${y0 + m.t}" x2="${x}" y2="${y0 + m.t + ph}" stroke="#ddd"/>`);
    out.push(`<text x="${x}" y="${y0 + m.t + ph + 16}" text-anchor="middle" font-size="11">1e${e}</text>`);
  }
  for (let e = ymin; e <= ymax; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${x0 + m.l}" y1="${y}" x2="${x0 + m.l + pw}" y2="${y}" stroke="#ddd"/>`);
    out.push(`<text x="${x0 + m.l - 6}" y="${y + 4}" text-anchor="end" font-size="11">1e${e}</text>`);
  }
  out.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + h - 6}" text-anchor="middle" font-size="12">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(${x0 + 14},${y0 + m.t + ph / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[(s.color ?? i) % COLORS.length];
    const p = s.points.filter(([x, y]) => x > 0 && y > 0).sort((a, b) => a[0] - b[0]);
    if (p.length === 0) return;
    out.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    const ly = y0 + m.t + 14 + i * 16;
    out.push(`<line x1="${x0 + m.l + pw + 10}" y1="${ly - 4}" x2="${x0 + m.l + pw + 28}" y2="${ly - 4}" stroke="${c}" stroke-width="2"/>`);
    out.push(`<text x="${x0 + m.l + pw + 32}" y="${ly}" font-size="11">${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

export function svgDocument(width: number, height: number, body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">\n<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
