// Pictures as inline SVG strings (no library): a log-log line chart, an accuracy heatmap, and the
// D-class diagram of a transformation semigroup. Pure functions of their data, so a test can check
// the SVG text and the page only assigns innerHTML.
import { esc } from './ui.js';

const COLORS = ['#2f5fb3', '#c4432b', '#2e8b57', '#8a4fbf', '#c98a00', '#0f7f8f'];
export const seriesColor = (i) => COLORS[i % COLORS.length];

const decades = (lo, hi) => {
  const out = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(e);
  return out;
};
const sup = (e) => `10<tspan dy="-5" font-size="9">${e}</tspan>`;

/**
 * Log-log chart. series: [{ name, points: [[x, y], …], dashed? }]; options: title, xLabel, yLabel,
 * id. Axes span whole decades around the data; one polyline and marker set per series, a legend.
 */
export function logLogChart(series, { title = '', xLabel = '', yLabel = '', id = '', width = 460, height = 280 } = {}) {
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  if (!pts.length) return `<svg class="chart" width="${width}" height="60"${id ? ` id="${id}"` : ''}><text x="10" y="30">${esc(title)}: no data yet</text></svg>`;
  const m = { left: 58, right: 14, top: 26, bottom: 40 };
  const xe = decades(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])));
  const ye = decades(Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1])));
  const [x0, x1, y0, y1] = [xe[0], xe[xe.length - 1], ye[0], ye[ye.length - 1]];
  const px = (x) => m.left + ((Math.log10(x) - x0) / Math.max(x1 - x0, 1)) * (width - m.left - m.right);
  const py = (y) => height - m.bottom - ((Math.log10(y) - y0) / Math.max(y1 - y0, 1)) * (height - m.top - m.bottom);
  const grid = [
    ...xe.map((e) => `<line x1="${px(10 ** e)}" y1="${m.top}" x2="${px(10 ** e)}" y2="${height - m.bottom}" class="grid"/><text x="${px(10 ** e)}" y="${height - m.bottom + 15}" text-anchor="middle">${sup(e)}</text>`),
    ...ye.map((e) => `<line x1="${m.left}" y1="${py(10 ** e)}" x2="${width - m.right}" y2="${py(10 ** e)}" class="grid"/><text x="${m.left - 6}" y="${py(10 ** e) + 4}" text-anchor="end">${sup(e)}</text>`),
  ].join('');
  const lines = series.map((s, i) => {
    const ps = s.points.filter(([x, y]) => x > 0 && y > 0);
    const c = seriesColor(i);
    const poly = ps.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    const dots = ps.map(([x, y]) => `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${c}"/>`).join('');
    return `<polyline fill="none" stroke="${c}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="4 3"' : ''} points="${poly}"/>${dots}`;
  }).join('');
  const legend = series.map((s, i) => `<g transform="translate(${m.left + 8},${m.top + 8 + i * 14})"><rect width="12" height="3" y="-4" fill="${seriesColor(i)}"/><text x="16" y="0">${esc(s.name)}</text></g>`).join('');
  return `<svg class="chart" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${id ? ` id="${id}"` : ''} role="img" aria-label="${esc(title)}">
    <text x="${m.left}" y="15" class="title">${esc(title)}</text>${grid}${lines}${legend}
    <text x="${(m.left + width - m.right) / 2}" y="${height - 6}" text-anchor="middle">${esc(xLabel)}</text>
    <text transform="translate(13,${(m.top + height - m.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text></svg>`;
}

/** Accuracy in percent → colour: red (chance-like) → amber → light blue (≈ 90) → blue (100); null: grey, "not legible". */
const STOPS = [[0, [214, 96, 77]], [50, [253, 219, 160]], [90, [171, 205, 232]], [100, [47, 95, 179]]];
function heat(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return '#e4e6ea';
  const x = Math.max(0, Math.min(100, v));
  let i = 0;
  while (i < STOPS.length - 2 && x > STOPS[i + 1][0]) i++;
  const [[a, ca], [b, cb]] = [STOPS[i], STOPS[i + 1]];
  const t = (x - a) / (b - a);
  return `rgb(${ca.map((c, k) => Math.round(c + (cb[k] - c) * t)).join(',')})`;
}

/** Accuracy heatmap: rows × cols with values[r][c] in percent (null = missing), numbers in the cells. */
export function heatmap({ rows, cols, values, title = '', id = '', cell = 34 }) {
  const left = 150, top = 40;
  const width = left + cols.length * cell + 8, height = top + rows.length * 20 + 10;
  const cells = rows.map((r, i) => cols.map((c, j) => {
    const v = values[i][j];
    const x = left + j * cell, y = top + i * 20;
    const dark = v !== null && v !== undefined && (v > 96 || v < 15);
    return `<rect x="${x}" y="${y}" width="${cell - 1}" height="19" fill="${heat(v)}"><title>${esc(r)}, L=${esc(c)}: ${v === null || v === undefined ? 'n/a' : v.toFixed(1) + '%'}</title></rect>` +
      `<text x="${x + cell / 2}" y="${y + 13.5}" text-anchor="middle" class="${dark ? 'on-dark' : ''}">${v === null || v === undefined ? '—' : v >= 99.95 ? '100' : v.toFixed(0)}</text>`;
  }).join('')).join('');
  const rowLabels = rows.map((r, i) => `<text x="${left - 6}" y="${top + i * 20 + 13.5}" text-anchor="end">${esc(r)}</text>`).join('');
  const colLabels = cols.map((c, j) => `<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${esc(c)}</text>`).join('');
  return `<svg class="chart heat" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${id ? ` id="${id}"` : ''} role="img" aria-label="${esc(title)}">
    <text x="4" y="15" class="title">${esc(title)}</text><text x="${left - 6}" y="${top - 6}" text-anchor="end">layers L →</text>${colLabels}${rowLabels}${cells}</svg>`;
}

/**
 * The D-classes of a transformation semigroup in the D-order: top classes first, each class one
 * level below the lowest class it lies under (longest path from a top), edges along the Hasse
 * diagram (`below`). A regular class has a solid border and names its group H-class (the maximal
 * subgroup, e.g. "H ≅ S3"); a non-regular class is dashed and grey. At most `max` classes are drawn.
 */
export function dClassDiagram(list, { id = '', max = 60 } = {}) {
  const n = Math.min(list.length, max);
  if (n === 0) return '';
  if (list.slice(0, n).some((D) => !D.below)) return `<p class="caption">the D-order is not computed above 4096 D-classes</p>`;
  const level = new Array(n).fill(0);
  // Longest path from a top class (relaxation; the D-order is acyclic, so n passes suffice).
  for (let pass = 0, changed = true; changed && pass < n; pass++) {
    changed = false;
    for (let c = 0; c < n; c++) for (const b of list[c].below) if (b < n && level[b] < level[c] + 1) { level[b] = level[c] + 1; changed = true; }
  }
  const rows = [];
  for (let c = 0; c < n; c++) (rows[level[c]] ??= []).push(c);
  const bw = 112, bh = 52, gx = 18, gy = 34;
  const widest = Math.max(...rows.map((r) => r.length));
  const width = Math.max(widest * (bw + gx) + gx, 240), height = rows.length * (bh + gy);
  const pos = [];
  rows.forEach((r, li) => {
    const span = r.length * (bw + gx) - gx;
    r.forEach((c, k) => (pos[c] = { x: (width - span) / 2 + k * (bw + gx), y: gy / 2 + li * (bh + gy) }));
  });
  const edges = [];
  for (let c = 0; c < n; c++) for (const b of list[c].below) if (b < n) {
    edges.push(`<line x1="${pos[c].x + bw / 2}" y1="${pos[c].y + bh}" x2="${pos[b].x + bw / 2}" y2="${pos[b].y}" class="edge"/>`);
  }
  const boxes = [];
  for (let c = 0; c < n; c++) {
    const D = list[c], { x, y } = pos[c];
    const group = D.regular ? (D.group === '1' ? 'H trivial' : `H ≅ ${D.group}`) : 'not regular';
    boxes.push(`<g class="dclass ${D.regular ? 'regular' : 'nonregular'}" data-d="${c}"><rect x="${x}" y="${y}" width="${bw}" height="${bh}" rx="5"/>` +
      `<text x="${x + 6}" y="${y + 14}" class="name">D${c} · rank ${D.rank}</text>` +
      `<text x="${x + 6}" y="${y + 29}">|D| ${D.size.toLocaleString('en-US')} = ${D.rClasses}×${D.lClasses}×${D.hSize}</text>` +
      `<text x="${x + 6}" y="${y + 44}" class="${D.regular && D.group !== '1' ? 'group' : ''}">${esc(group)}</text>` +
      `<title>D${c}: rank ${D.rank}, ${D.size} elements, ${D.rClasses} R-classes × ${D.lClasses} L-classes, |H| = ${D.hSize}, ${D.idempotents} idempotents${D.regular ? `, maximal subgroup ${D.group}` : ', not regular'}</title></g>`);
  }
  return `<svg class="chart dorder" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"${id ? ` id="${id}"` : ''} role="img" aria-label="D-classes in the D-order">${edges.join('')}${boxes.join('')}</svg>`;
}
