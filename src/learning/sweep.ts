/**
 * The depth experiment ("Transformers Learn Shortcuts to Automata", Liu et al. 2023): train a
 * causal Transformer of each depth on each automaton, and tabulate per-position accuracy beside
 * the paper's table (shared/reference/paper-depth-table.json, copied below) and the algebraic
 * verdict of each automaton's transformation semigroup. Runs are separate `testbeds train`
 * processes (tfjs threads are off in Node, so a process pool is the parallelism), each with its
 * own output directory; a sweep re-run skips finished runs.
 */
import type { RunOptions } from './train.js';
import { algebraReport } from '../algebra/index.js';
import { zoo } from '../automata/index.js';

export interface SweepSettings {
  /** Rows: zoo names. */
  automata: string[];
  depths: number[];
  length: number;
  width: number;
  heads: number;
  batch: number;
  steps: number;
  lr: number;
  warmup: number;
  seed: number;
  evalBatches: number;
}

export const PAPER_ROWS = ['dyck', 'gridworld:9', 'parity', 'cyclic:3', 'cyclic_product:2,2,2', 'dihedral:3', 'dihedral:4', 'quaternion', 'alternating:5', 'symmetric:5'];

/** The paper's "Dyck" row is bounded Dyck; here dyck:2,4 (two bracket types, depth ≤ 4), trained on
 *  well-nested prefixes (uniform letters would send most sequences into the reject sink). */
export const ROW_AUTOMATON: Record<string, string> = { dyck: 'dyck:2,4' };
export const ROW_EXTRA_ARGS: Record<string, string[]> = { dyck: ['--valid-prefixes'] };

export const PRESETS: Record<'quick' | 'paper', SweepSettings> = {
  // Sized for a 2-core machine with --jobs 2: the grid took 77 min here (bench/results/README.md). Measured at d = 32, T = 16,
  // B = 32 with two runs at once: ≈ 0.005 + 0.009·L s per step, so 10 rows × (6 + 24 layers) ×
  // 3000 steps ≈ 7,500 core-seconds. Width 32 for 3000 steps beat width 64 for 1500 at the same
  // cost: parity at L = 2 reached 99.2% by step 1000 (width 64: 63% at step 400, and L = 8 78% at
  // step 750), and the earlier 1200-step preset at lr 1e-3 under-trained (parity non-monotone in L).
  quick: { automata: PAPER_ROWS, depths: [1, 2, 3, 4, 6, 8], length: 16, width: 32, heads: 4, batch: 32, steps: 3000, lr: 3e-3, warmup: 100, seed: 1, evalBatches: 8 },
  // The paper's settings.
  paper: { automata: PAPER_ROWS, depths: [1, 2, 3, 4, 5, 6, 7, 8, 12, 16], length: 100, width: 512, heads: 8, batch: 64, steps: 20000, lr: 3e-4, warmup: 1000, seed: 1, evalBatches: 16 },
};

/** The depth-vs-accuracy table of the talk (accuracy in %, T = 100; null = not legible). */
export const PAPER_TABLE: { depths: number[]; rows: Record<string, (number | null)[]> } = {
  depths: [1, 2, 3, 4, 5, 6, 7, 8, 12, 16],
  rows: {
    dyck: [99.3, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    'gridworld:9': [92.2, 100, 100, 100, 100, 100, 100, 100, 100, 100],
    parity: [null, 99.8, 99.9, 100, 100, 99.5, 100, 99.7, 100, 100],
    'cyclic:3': [54.6, 94.6, 96.7, 99.4, 100, 100, 99.8, 100, 100, 100],
    'cyclic_product:2,2,2': [65.0, null, 99.9, 97.9, 100, 99.8, 98.2, 99.9, 95.9, 80.6],
    'dihedral:3': [25.4, 27.2, 47.4, null, 100, 100, 100, 100, 100, 100],
    'dihedral:4': [45.6, 98.0, 100, 100, 100, 100, 100, 100, 100, 100],
    quaternion: [31.6, 49.2, 59.6, 60.4, 73.5, 99.3, 100, 100, 100, 100],
    'alternating:5': [12.5, 23.1, 32.5, 46.7, 71.2, 98.8, 100, 100, 100, 100],
    'symmetric:5': [7.9, 11.8, 14.6, 19.7, 26.0, 28.4, 32.8, 51.8, 97.2, 99.9],
  },
};

export type AlgebraVerdict = { verdict: 'solvable' | 'non-solvable' | 'aperiodic' | 'unknown'; groups: string };
const verdicts = new Map<string, AlgebraVerdict>();

/**
 * Algebraic verdict of a row, computed from its transformation semigroup by src/algebra (solvable
 * iff every maximal subgroup is solvable; aperiodic iff none is non-trivial), with the maximal
 * subgroups named. Checked against GAP's facts in test/algebra.
 */
export function algebraVerdict(row: string): AlgebraVerdict {
  const name = ROW_AUTOMATON[row] ?? row;
  let v = verdicts.get(name);
  if (!v) {
    try {
      const r = algebraReport(zoo(name), { maxSize: 1_000_000, decompose: false });
      const groups = r.subgroups.map((g) => g.structure ?? `order ${g.order}`).join(', ');
      v = { verdict: r.aperiodic ? 'aperiodic' : r.solvable ? 'solvable' : 'non-solvable', groups };
    } catch {
      v = { verdict: 'unknown', groups: '' }; // not a zoo name, or a semigroup over the size limit
    }
    verdicts.set(name, v);
  }
  return v;
}

/** Splits "parity,cyclic_product:2,2,2,dyck:2,4" into names (a bare number continues the previous name). */
export function splitAutomata(list: string): string[] {
  const out: string[] = [];
  for (const part of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (/^\d+$/.test(part) && out.length > 0 && out[out.length - 1].includes(':')) out[out.length - 1] += ',' + part;
    else out.push(part);
  }
  return out;
}

export interface SweepCell {
  automaton: string;
  depth: number;
  /** Per-position accuracy in [0, 1] (null while missing or failed). */
  accuracy: number | null;
  accuracyLast: number | null;
  accuracySequence: number | null;
  seconds: number | null;
  tokensPerSecond: number | null;
  error?: string;
}

/** A finished cell from the `testbeds train --json` result (the local pool and the queue alike). */
export function cellFromResult(automaton: string, depth: number, j: { accuracy: number; accuracyLast: number; accuracySequence: number; seconds: number; tokensPerSecond: number }): SweepCell {
  return { automaton, depth, accuracy: j.accuracy, accuracyLast: j.accuracyLast, accuracySequence: j.accuracySequence, seconds: j.seconds, tokensPerSecond: j.tokensPerSecond };
}

/** Arguments of `testbeds train` for one cell. */
export function trainArgs(s: SweepSettings, automaton: string, depth: number, out: string): string[] {
  return [
    'train', '--automaton', ROW_AUTOMATON[automaton] ?? automaton, '--model', 'transformer',
    '--layers', String(depth), '--width', String(s.width), '--heads', String(s.heads), '--length', String(s.length),
    '--batch', String(s.batch), '--steps', String(s.steps), '--lr', String(s.lr), '--warmup', String(s.warmup),
    '--seed', String(s.seed), '--eval-every', String(Math.max(1, Math.floor(s.steps / 4))), '--eval-batches', String(s.evalBatches),
    '--checkpoint-every', String(Math.max(1, Math.floor(s.steps / 4))), '--out', out, '--json', '--quiet',
    ...(ROW_EXTRA_ARGS[automaton] ?? []),
  ];
}

/** First depth whose accuracy reaches `threshold` (fraction), or null. */
export function minimalDepth(depths: number[], acc: (number | null)[], threshold: number): number | null {
  for (let i = 0; i < depths.length; i++) if (acc[i] !== null && acc[i]! >= threshold) return depths[i];
  return null;
}

/** Average ranks (1-based) with ties; null (never reached) ranks above every number. */
function ranks(xs: (number | null)[]): number[] {
  const v = xs.map((x) => (x === null ? Infinity : x));
  const idx = v.map((_, i) => i).sort((a, b) => v[a] - v[b]);
  const r = new Array<number>(v.length);
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && v[idx[j + 1]] === v[idx[i]]) j++;
    for (let k = i; k <= j; k++) r[idx[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return r;
}

/** Spearman's ρ (Pearson correlation of average ranks); null when undefined (constant ranks). */
export function spearman(a: (number | null)[], b: (number | null)[]): number | null {
  const ra = ranks(a);
  const rb = ranks(b);
  const n = ra.length;
  if (n < 2) return null;
  const ma = ra.reduce((x, y) => x + y, 0) / n;
  const mb = rb.reduce((x, y) => x + y, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (ra[i] - ma) * (rb[i] - mb);
    saa += (ra[i] - ma) ** 2;
    sbb += (rb[i] - mb) ** 2;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : null;
}

export interface SweepReport {
  settings: SweepSettings;
  cells: SweepCell[];
  rows: {
    automaton: string;
    zooName: string;
    algebra: string;
    groups: string;
    accuracy: (number | null)[];
    minDepth: number | null;
    paper: (number | null)[] | null;
    paperMinDepth: number | null;
  }[];
  /** Spearman ρ between our minimal depth to ≥ 99% and the paper's, over rows in both. */
  spearman: number | null;
  spearmanRows: number;
  /** A coarser ordering check for short runs where few cells reach 99%: Spearman ρ between the
   *  paper's minimal depth and our error averaged over depths (1 − mean accuracy); positive when
   *  the rows the paper finds hard are the ones we find hard. */
  spearmanError: number | null;
}

export function buildReport(settings: SweepSettings, cells: SweepCell[]): SweepReport {
  const rows = settings.automata.map((a) => {
    const acc = settings.depths.map((d) => cells.find((c) => c.automaton === a && c.depth === d)?.accuracy ?? null);
    const paper = PAPER_TABLE.rows[a] ?? null;
    return {
      automaton: a,
      zooName: ROW_AUTOMATON[a] ?? a,
      algebra: algebraVerdict(a).verdict,
      groups: algebraVerdict(a).groups,
      accuracy: acc,
      minDepth: minimalDepth(settings.depths, acc, 0.99),
      paper,
      paperMinDepth: paper ? minimalDepth(PAPER_TABLE.depths, paper.map((x) => (x === null ? null : x / 100)), 0.99) : null,
    };
  });
  // Only rows whose every cell ran count (a missing cell could hide an earlier depth reaching 99%).
  const both = rows.filter((r) => r.paper && r.accuracy.every((x) => x !== null));
  const meanError = (r: (typeof rows)[number]) => 1 - r.accuracy.reduce<number>((a, x) => a + (x ?? 0), 0) / r.accuracy.length;
  return {
    settings,
    cells,
    rows,
    spearman: spearman(both.map((r) => r.minDepth), both.map((r) => r.paperMinDepth)),
    spearmanRows: both.length,
    spearmanError: spearman(both.map(meanError), both.map((r) => r.paperMinDepth)),
  };
}

const pct = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(1));
const depthText = (d: number | null, max: number) => (d === null ? `> ${max}` : String(d));

export function reportMarkdown(r: SweepReport): string {
  const s = r.settings;
  const lines: string[] = [];
  lines.push(`Per-position accuracy (%) of a causal Transformer, T = ${s.length}, width ${s.width}, ${s.heads} heads, batch ${s.batch}, ${s.steps} steps, AdamW lr ${s.lr} (warmup ${s.warmup}, cosine), seed ${s.seed}; held-out ${s.evalBatches}×${s.batch} sequences. "min L" = fewest layers reaching ≥ 99%.`);
  lines.push('');
  lines.push(`| automaton | algebra | ${s.depths.map((d) => `L=${d}`).join(' | ')} | min L (ours) | min L (paper) |`);
  lines.push(`|---|---|${s.depths.map(() => '---:').join('|')}|---:|---:|`);
  const maxD = Math.max(...s.depths);
  for (const row of r.rows) {
    lines.push(`| ${row.zooName} | ${row.algebra}${row.groups ? ` (${row.groups})` : ''} | ${row.accuracy.map(pct).join(' | ')} | ${depthText(row.minDepth, maxD)} | ${row.paper ? depthText(row.paperMinDepth, 16) : '—'} |`);
  }
  lines.push('');
  lines.push(`The paper's table (T = 100, width 512, 20k steps), accuracy %:`);
  lines.push('');
  lines.push(`| automaton | ${PAPER_TABLE.depths.map((d) => `L=${d}`).join(' | ')} |`);
  lines.push(`|---|${PAPER_TABLE.depths.map(() => '---:').join('|')}|`);
  for (const row of r.rows) if (row.paper) lines.push(`| ${row.automaton} | ${row.paper.map((x) => (x === null ? '—' : x.toFixed(1))).join(' | ')} |`);
  lines.push('');
  lines.push(`Spearman ρ between our minimal depth to ≥ 99% and the paper's: ${r.spearman === null ? 'undefined' : r.spearman.toFixed(3)} over ${r.spearmanRows} complete rows (never reaching 99% ranks above every depth; ties get average ranks). Spearman ρ between the paper's minimal depth and our error averaged over depths: ${r.spearmanError === null ? 'undefined' : r.spearmanError.toFixed(3)}.`);
  return lines.join('\n') + '\n';
}

export function reportCsv(r: SweepReport): string {
  const s = r.settings;
  const head = ['automaton', 'zoo_name', 'algebra', ...s.depths.map((d) => `acc_L${d}`), 'min_depth', ...PAPER_TABLE.depths.map((d) => `paper_L${d}`), 'paper_min_depth'];
  const out = [head.join(',')];
  for (const row of r.rows) {
    out.push([
      `"${row.automaton}"`, `"${row.zooName}"`, row.algebra,
      ...row.accuracy.map((x) => (x === null ? '' : x.toFixed(5))),
      row.minDepth ?? '',
      ...(row.paper ?? PAPER_TABLE.depths.map(() => null)).map((x) => (x === null ? '' : x)),
      row.paperMinDepth ?? '',
    ].join(','));
  }
  return out.join('\n') + '\n';
}

/** Two heatmaps side by side (ours | the paper's), one row per automaton with its verdict. */
export function reportSvg(r: SweepReport): string {
  const s = r.settings;
  const cell = 34;
  const rowH = 24;
  const labelW = 230;
  const gap = 40;
  const top = 58;
  // The panel is at least as wide as its title.
  const oursW = Math.max(s.depths.length * cell, 230);
  const paperW = PAPER_TABLE.depths.length * cell;
  const W = labelW + oursW + gap + paperW + 20;
  const H = top + r.rows.length * rowH + 64;
  const color = (x: number | null) => {
    if (x === null) return '#eeeeee';
    // white (chance-ish) → deep green (100%)
    const t = Math.max(0, Math.min(1, x));
    const c = (a: number, b: number) => Math.round(a + (b - a) * t);
    return `rgb(${c(250, 20)},${c(245, 120)},${c(240, 60)})`;
  };
  const esc = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`);
  parts.push(`<rect width="100%" height="100%" fill="white"/>`);
  parts.push(`<text x="${labelW}" y="16" font-size="13" font-weight="bold">ours (T=${s.length}, d=${s.width}, ${s.steps} steps)</text>`);
  parts.push(`<text x="${labelW + oursW + gap}" y="16" font-size="13" font-weight="bold">paper (T=100, d=512, 20k steps)</text>`);
  s.depths.forEach((d, j) => parts.push(`<text x="${labelW + j * cell + cell / 2}" y="${top - 8}" text-anchor="middle">L=${d}</text>`));
  PAPER_TABLE.depths.forEach((d, j) => parts.push(`<text x="${labelW + oursW + gap + j * cell + cell / 2}" y="${top - 8}" text-anchor="middle">${d}</text>`));
  r.rows.forEach((row, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${labelW - 6}" y="${y + rowH / 2 + 4}" text-anchor="end">${esc(row.zooName)} · ${row.algebra}</text>`);
    row.accuracy.forEach((x, j) => {
      const xx = labelW + j * cell;
      parts.push(`<rect x="${xx}" y="${y}" width="${cell - 2}" height="${rowH - 2}" fill="${color(x)}"/>`);
      parts.push(`<text x="${xx + cell / 2 - 1}" y="${y + rowH / 2 + 3}" text-anchor="middle" fill="${x !== null && x > 0.6 ? 'white' : 'black'}">${x === null ? '' : Math.round(100 * x)}</text>`);
    });
    (row.paper ?? []).forEach((x, j) => {
      const xx = labelW + oursW + gap + j * cell;
      const f = x === null ? null : x / 100;
      parts.push(`<rect x="${xx}" y="${y}" width="${cell - 2}" height="${rowH - 2}" fill="${color(f)}"/>`);
      parts.push(`<text x="${xx + cell / 2 - 1}" y="${y + rowH / 2 + 3}" text-anchor="middle" fill="${f !== null && f > 0.6 ? 'white' : 'black'}">${x === null ? '' : Math.round(x)}</text>`);
    });
  });
  parts.push(`<text x="${labelW}" y="${H - 34}">per-position accuracy %; Spearman ρ of minimal depth to ≥ 99% (ours vs paper): ${r.spearman === null ? 'undefined' : r.spearman.toFixed(2)} over ${r.spearmanRows} rows;</text>`);
  parts.push(`<text x="${labelW}" y="${H - 18}">ρ between the paper's minimal depth and our mean error over depths: ${r.spearmanError === null ? 'undefined' : r.spearmanError.toFixed(2)}</text>`);
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export type { RunOptions };
