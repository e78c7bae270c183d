/**
 * The glitch inspector: find a read that a Transformer answers wrongly and show what its heads
 * looked at. The search walks the same seeded batches as the evaluation of that test set
 * (testBatchRng), so the glitch shown is one of those counted. The attention comes from a second
 * forward pass of that one sequence on the unfused path (ops/attention.ts), which exposes the
 * rows; the read query is the position of the `r` token (the model predicts the bit after it),
 * and the position it should attend to is the last `w` before it and the bit written there.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../../random/prng.js';
import { sampleFflBatch, validateFfl } from '../data.js';
import type { SequenceModel } from '../models/index.js';
import { checkInteger, checkObject, fail } from '../../validate/index.js';
import { testBatchRng } from './experiment.js';

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

export interface FindGlitchOptions {
  pI: number;
  test?: string;
  length: number;
  seed: number;
  /** Index of the test set in the evaluation (picks its batch stream). */
  testIndex: number;
  /** Give up after this many reads. */
  maxReads: number;
  evalBatch: number;
  onBatch?: (reads: number) => void;
}

/** Walks the evaluation batches of one test set until a read is answered wrongly. */
export function findGlitch(model: SequenceModel, o: FindGlitchOptions): GlitchSearch {
  checkObject('findGlitch', 'model', model);
  checkObject('findGlitch', 'o', o);
  if (model.config.kind !== 'transformer') fail('findGlitch', `the inspector reads Transformer attention; model is ${model.config.kind}`);
  validateFfl({ kind: 'ffl', pI: o.pI, length: o.length });
  checkInteger('findGlitch', 'o.seed', o.seed, 0, 0xffffffff);
  checkInteger('findGlitch', 'o.testIndex', o.testIndex, 0);
  checkInteger('findGlitch', 'o.maxReads', o.maxReads, 1);
  checkInteger('findGlitch', 'o.evalBatch', o.evalBatch, 1, 4096);
  const task = { kind: 'ffl' as const, pI: o.pI, length: o.length };
  const T = o.length;
  const rng = testBatchRng(o.seed, o.testIndex);
  let reads = 0;
  let sequences = 0;
  while (reads < o.maxReads) {
    const b = sampleFflBatch(task, o.evalBatch, new Rng(rng.nextU32()));
    const probs = tf.tidy(() => tf.softmax(model.forward(tf.tensor2d(b.letters, [b.batch, T], 'int32'))).dataSync() as Float32Array); // (B, T, 2)
    for (let s = 0; s < b.batch; s++) {
      let any = false;
      for (let t = 0; t < T; t++) {
        const y = b.labels[s * T + t];
        if (y < 0) continue;
        any = true;
        reads++;
        const p1 = probs[2 * (s * T + t) + 1];
        const predicted = p1 > probs[2 * (s * T + t)] ? 1 : 0;
        if (predicted !== y) {
          const letters = Array.from(b.letters.subarray(s * T, s * T + T));
          return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, reads, sequences: sequences + 1, glitch: inspect(model, letters, t, y, predicted, predicted ? p1 : 1 - p1, o) };
        }
      }
      if (any) sequences++;
    }
    o.onBatch?.(reads);
  }
  return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, reads, sequences, glitch: undefined };
}

/** The attention of every head at the read query of one sequence. */
function inspect(model: SequenceModel, letters: number[], read: number, expected: number, predicted: number, probability: number, o: FindGlitchOptions): Glitch {
  const T = letters.length;
  let write = read - 2;
  while (write >= 0 && letters[write] !== 0) write -= 2;
  if (write < 0) fail('inspect', `no write before the read at t = ${read}`); // FFL starts with w: cannot happen
  const rows: { layer: number; probs: Float32Array; heads: number }[] = [];
  const predictedExposed = tf.tidy(() => {
    const logits = model.forward(tf.tensor2d(letters, [1, T], 'int32'), {
      attention: (layer, probs) => void rows.push({ layer, probs: probs.dataSync() as Float32Array, heads: probs.shape[1] }),
    });
    const l = logits.dataSync();
    return l[2 * read + 1] > l[2 * read] ? 1 : 0;
  });
  const heads: GlitchHead[] = [];
  for (const r of rows) {
    for (let h = 0; h < r.heads; h++) {
      const base = (h * T + read) * T; // probs (1, H, T, T): row `read` of head h
      const weights = Array.from(r.probs.subarray(base, base + read + 1));
      heads.push({ layer: r.layer, head: h, weights, onWrite: weights[write] + weights[write + 1] });
    }
  }
  return { test: o.test ?? `p_i=${o.pI}`, pI: o.pI, letters, read, write, expected, predicted, probability, predictedExposed, heads };
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
