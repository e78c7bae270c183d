/**
 * Rendering a glitch found by findGlitch (show.ts) as text and as an SVG heatmap. No tfjs here:
 * the browser page's bundle draws the same picture from a glitch report (JSON) with it.
 */
import { checkObject, fail } from '../../validate/index.js';

/** FFL tokens (data.ts): instructions w r i, then bits 0 1. */
const TOKEN = ['w', 'r', 'i', '0', '1'];

export interface GlitchHead {
  layer: number;
  head: number;
  /** The read query's attention row over positions 0..read. */
  weights: number[];
  /** Attention mass on the last write: its `w` and the bit after it. */
  onWrite: number;
}

export interface Glitch {
  test: string;
  pI: number;
  /** The whole sequence (token ids: w r i 0 1 = 0..4). */
  letters: number[];
  /** Position of the `r` whose next bit the model gets wrong. */
  read: number;
  /** Position of the last `w` before it (the bit written is at write + 1). */
  write: number;
  expected: number;
  /** The model's answer on the evaluation (fused) path, and its probability there. */
  predicted: number;
  probability: number;
  /** The answer on the unfused pass that produced the attention (the same function up to rounding). */
  predictedExposed: number;
  heads: GlitchHead[];
}

export interface GlitchSearch {
  test: string;
  pI: number;
  /** Reads and sequences searched up to and including the glitch (or all, if none was found). */
  reads: number;
  sequences: number;
  glitch: Glitch | undefined;
}

/** A pair of tokens (instruction, bit) as two characters, e.g. "w1". */
function pair(letters: number[], k: number): string {
  return TOKEN[letters[k]] + TOKEN[letters[k + 1]];
}

/** The glitch search as text: where the read is, what it should copy, where each head looks. */
export function glitchText(s: GlitchSearch): string {
  checkObject('glitchText', 's', s);
  const lines: string[] = [];
  if (!s.glitch) {
    lines.push(`no glitch in ${s.reads} reads (${s.sequences} sequences) of the ${s.test} test set (p_i = ${s.pI}); raise --max-reads or pick another --test`);
    return lines.join('\n') + '\n';
  }
  const g = s.glitch;
  const gap = (g.read - g.write) / 2;
  lines.push(`glitch in the ${g.test} test set (p_i = ${g.pI}) after ${s.reads} reads (${s.sequences} sequences searched)`);
  lines.push(`read at t = ${g.read} (r): the last write is w${g.expected} at t = ${g.write}–${g.write + 1}, ${gap} instruction${gap === 1 ? '' : 's'} earlier;`);
  lines.push(`  the answer is ${g.expected}, the model says ${g.predicted} (p = ${g.probability.toFixed(4)})${g.predictedExposed !== g.predicted ? ` [the unfused pass says ${g.predictedExposed}: a rounding-level tie]` : ''}`);
  // The sequence around the write and around the read, as instruction-bit pairs; [ ] marks the write, < > the read.
  const fmt = (k: number) => (k === g.write ? `[${pair(g.letters, k)}]` : k === g.read ? `<${TOKEN[g.letters[k]]}?>` : pair(g.letters, k));
  const span = (a: number, b: number) => {
    const out: string[] = [];
    for (let k = Math.max(0, a); k <= b; k += 2) out.push(fmt(k));
    return out.join(' ');
  };
  const lo = g.write - 8, hi = g.read;
  const text = g.read - g.write <= 24 ? span(lo, hi) : `${span(lo, g.write + 8)} … ${span(g.read - 12, hi)}`;
  lines.push(`  t ≥ ${Math.max(0, lo)}: ${text}`);
  lines.push('', 'attention of the read query (row t = ' + g.read + ') per head: mass on the write [w, bit], then the top positions:');
  const best = g.heads.reduce((a, b) => (b.onWrite > a.onWrite ? b : a));
  for (const h of g.heads) {
    const top = h.weights.map((w, t) => ({ w, t })).sort((a, b) => b.w - a.w).slice(0, 4);
    const where = top.map(({ w, t }) => `t=${t} ${TOKEN[g.letters[t]]}${t === g.write || t === g.write + 1 ? '*' : ''} ${w.toFixed(3)}`).join(', ');
    lines.push(`  layer ${h.layer} head ${h.head}: on write ${h.onWrite.toFixed(3)}${h === best ? '  ← reads the write most' : ''} | ${where}`);
  }
  lines.push('', '(* = the write the read should copy; positions are token indices, each instruction followed by its bit)');
  return lines.join('\n') + '\n';
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The attention rows of a glitch as an SVG heatmap: one row per (layer, head), one column per
 * position 0..read, darker = more attention; the write the read should copy is outlined green,
 * the read query red. Plain SVG text, the same in Node and in the browser page.
 */
export function glitchSvg(g: Glitch): string {
  checkObject('glitchSvg', 'g', g);
  if (!Array.isArray(g.heads) || g.heads.length === 0) fail('glitchSvg', 'g.heads must be a non-empty array (a Glitch from findGlitch)');
  const n = g.read + 1;
  const cell = Math.max(4, Math.min(14, Math.floor(640 / n)));
  const left = 90, top = 34, bottom = 30;
  const W = left + n * cell + 10, H = top + g.heads.length * cell + bottom;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="10" role="img" aria-label="attention of the read at t = ${g.read}">`);
  out.push(`<text x="4" y="12">${esc(`${g.test} (p_i = ${g.pI}): read at t = ${g.read}, answer ${g.expected}, model ${g.predicted} (p = ${g.probability.toFixed(3)})`)}</text>`);
  out.push(`<text x="4" y="26" fill="#555">attention of the read query per layer and head; green = the write to copy (t = ${g.write}, ${g.write + 1}), red = the read</text>`);
  g.heads.forEach((h, r) => {
    const y = top + r * cell;
    out.push(`<text x="4" y="${y + cell - 2}">L${h.layer} H${h.head} ${h.onWrite.toFixed(2)}</text>`);
    h.weights.forEach((w, t) => {
      const v = Math.max(0, Math.min(1, w));
      const shade = Math.round(255 * (1 - Math.sqrt(v))); // sqrt: small weights stay visible
      out.push(`<rect class="att" x="${left + t * cell}" y="${y}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)"><title>t=${t} ${TOKEN[g.letters[t]]} ${w.toFixed(4)}</title></rect>`);
    });
  });
  const rowsH = g.heads.length * cell;
  out.push(`<rect x="${left + g.write * cell}" y="${top}" width="${2 * cell}" height="${rowsH}" fill="none" stroke="#0a0" stroke-width="2"/>`);
  out.push(`<rect x="${left + g.read * cell}" y="${top}" width="${cell}" height="${rowsH}" fill="none" stroke="#c00" stroke-width="2"/>`);
  // Token strip under the heatmap: w r (instructions) labelled where the cells are wide enough.
  const y = top + rowsH + 12;
  for (let t = 0; t < n; t += 2) {
    if (g.letters[t] === 2 && cell < 8) continue;
    out.push(`<text x="${left + t * cell}" y="${y}" fill="${g.letters[t] === 0 ? '#0a0' : g.letters[t] === 1 ? '#c00' : '#999'}">${TOKEN[g.letters[t]]}</text>`);
  }
  out.push(`<text x="${left}" y="${y + 14}" fill="#555">t = 0 … ${g.read}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}
