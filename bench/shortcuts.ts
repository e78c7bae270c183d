/**
 * The shortcut table: for the ten automata of the paper's depth table at T = 100, the layers,
 * width and parameters of every construction that applies (src/shortcuts), the margin measured
 * on 16 × 32 sampled words, the fastest of 8 forward passes over one 32 × 100 batch on tfjs-wasm
 * (after a warm-up; logits read back) and the process's peak memory, beside the trained minimal
 * depth of the quick sweep (bench/results/sweep-quick) and the paper's (src/learning/sweep.ts).
 *
 * Usage: node dist/bench/shortcuts.js [--length 100] [--out bench/results/shortcuts]
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { zoo } from '../src/automata/index.js';
import { evalBatches, evaluateModel, initBackend, type SequenceModel } from '../src/learning/index.js';
import { minimalDepth, PAPER_ROWS, PAPER_TABLE, ROW_AUTOMATON } from '../src/learning/sweep.js';
import { compileShortcut, CONSTRUCTIONS, gridworldMaxLength, ShortcutError, type Construction } from '../src/shortcuts/index.js';

const { values } = parseArgs({ options: { length: { type: 'string' }, out: { type: 'string' } } });
const T = Number(values.length ?? 100);
const out = values.out ?? 'bench/results/shortcuts';

interface Cell {
  construction: Construction;
  ok: boolean;
  layers?: number;
  width?: number;
  heads?: number;
  mlpWidth?: number;
  parameters?: number;
  maxLength?: number;
  margin?: number;
  accuracy?: number;
  compileSeconds?: number;
  batchSeconds?: number;
  details?: Record<string, unknown>;
  refused?: string;
}

/** Seconds of the fastest of 8 forward passes over one batch (after a warm-up), logits read back. */
function forwardSeconds(m: SequenceModel, letters: Int32Array, B: number, T: number): number {
  let best = Infinity;
  for (let i = 0; i < 9; i++) {
    const t0 = performance.now();
    tf.tidy(() => m.forward(tf.tensor2d(letters, [B, T], 'int32')).dataSync());
    if (i > 0) best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

async function main(): Promise<void> {
  await initBackend('wasm');
  const sweep = JSON.parse(readFileSync('bench/results/sweep-quick/table.json', 'utf8'));
  const rows: Record<string, unknown>[] = [];
  for (const name of PAPER_ROWS) {
    const a = zoo(ROW_AUTOMATON[name] ?? name);
    const cells: Cell[] = [];
    for (const construction of CONSTRUCTIONS) {
      const t0 = performance.now();
      try {
        const c = compileShortcut(a, { length: T, construction });
        const compileSeconds = (performance.now() - t0) / 1000;
        const batches = evalBatches({ automaton: c.automaton, length: T }, 32, 16, 1);
        const batchSeconds = forwardSeconds(c.model, batches[0].letters, 32, T);
        const r = evaluateModel(c.model, batches);
        cells.push({ construction, ok: true, ...c.plan, margin: r.margin, accuracy: r.accuracy, compileSeconds, batchSeconds, details: c.details });
        c.model.dispose();
      } catch (e) {
        if (!(e instanceof ShortcutError)) throw e;
        cells.push({ construction, ok: false, refused: e.message });
      }
      console.error(`${name} ${construction}: ${JSON.stringify(cells[cells.length - 1])}`);
    }
    const sc = sweep.cells.filter((c: { automaton: string }) => c.automaton === name);
    const trained = minimalDepth(sc.map((c: { depth: number }) => c.depth), sc.map((c: { accuracy: number }) => c.accuracy), 0.99);
    const paperRow = PAPER_TABLE.rows[name];
    rows.push({ automaton: a.name, states: a.delta[0].length, letters: a.delta.length, cells, trainedMinDepth: trained, paperMinDepth: paperRow ? minimalDepth(PAPER_TABLE.depths, paperRow.map((x) => (x === null ? null : x / 100)), 0.99) : null });
  }
  const fmt = (c: Cell) => (c.ok ? `${c.layers} / ${c.width} / ${c.parameters!.toLocaleString('en-US')}` : '—');
  const lines = [
    `Compiled shortcuts at T = ${T}: layers / width / parameters of each construction (— = does not apply or exceeds a stated limit; why below; gridworld applies to gridworld:N only), beside the minimal depth reaching ≥ 99% when trained (quick sweep: T = 16, width 32, 3000 steps) and in the paper (T = 100, width 512). Margin = smallest correct-minus-best-wrong logit over 16 × 32 sampled words (exact ⇒ ≈ 10, the head's scale); batch = one 32 × ${T} forward pass on tfjs-wasm, one thread.`,
    '',
    `| automaton | ${CONSTRUCTIONS.join(' | ')} | shallowest: margin, batch | trained min L | paper min L |`,
    `|---|${CONSTRUCTIONS.map(() => '---|').join('')}---|---:|---:|`,
  ];
  const notes: string[] = [];
  for (const r of rows) {
    const cells = r.cells as Cell[];
    const ok = cells.filter((c) => c.ok).sort((x, y) => x.layers! - y.layers! || x.parameters! - y.parameters!);
    const best = ok[0];
    const bestText = best ? `${best.construction}: ${best.margin!.toFixed(4)}, ${(best.batchSeconds! * 1000).toFixed(0)} ms` : '—';
    lines.push(`| ${r.automaton} | ${cells.map(fmt).join(' | ')} | ${bestText} | ${r.trainedMinDepth ?? '> 8'} | ${r.paperMinDepth ?? '—'} |`);
    // gridworld applies to gridworld:N only: its refusals elsewhere say nothing (stated in the caption).
    for (const c of cells) if (!c.ok && c.construction !== 'gridworld') notes.push(`- ${r.automaton}, ${c.construction}: ${c.refused}`);
    for (const c of cells) {
      if (!c.ok) continue;
      const code = c.construction === 'prefix' ? ` (${c.details?.representation} code${c.details?.semigroupSize ? `, |T(A)| = ${c.details.semigroupSize}` : ''})` : '';
      notes.push(`- ${r.automaton}, ${c.construction}${code}: ${c.heads} head${c.heads === 1 ? '' : 's'}, MLP ${c.mlpWidth}, exact up to ${c.maxLength}; margin ${c.margin!.toFixed(4)}, accuracy ${(100 * c.accuracy!).toFixed(1)}%, compile ${c.compileSeconds!.toFixed(2)} s, 32 × ${T} batch ${(c.batchSeconds! * 1000).toFixed(0)} ms`);
    }
  }
  // How the gridworld construction grows: depth 3 always; width with N, MLP width with maxLength.
  const grid: string[] = ['', 'gridworld construction sizes (layers / width / heads / MLP / parameters; no evaluation):', '', '| N | proven bound | T = 16 | T = 100 | T = bound |', '|---:|---:|---|---|---|'];
  for (const N of [2, 4, 9, 16, 32]) {
    const B = gridworldMaxLength(N);
    const size = (L: number) => {
      const c = compileShortcut(zoo(`gridworld:${N}`), { length: L, construction: 'gridworld' });
      c.model.dispose();
      return `${c.plan.layers} / ${c.plan.width} / ${c.plan.heads} / ${c.plan.mlpWidth} / ${c.plan.parameters.toLocaleString('en-US')}`;
    };
    grid.push(`| ${N} | ${B} | ${size(16)} | ${size(100)} | ${size(B)} |`);
  }
  lines.push('', ...notes, ...grid, '', `Peak resident memory of the whole run: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; tfjs tensors left: ${tf.memory().numTensors}.`);
  mkdirSync(out, { recursive: true });
  const write = (f: string, s: string) => {
    writeFileSync(join(out, f + '.tmp'), s);
    renameSync(join(out, f + '.tmp'), join(out, f));
  };
  write('table.json', JSON.stringify({ length: T, rows }, null, 1) + '\n');
  write('table.md', lines.join('\n') + '\n');
  write('cmd.txt', `npm run build:ts && node dist/bench/shortcuts.js --length ${T} --out ${out}\n`);
  console.log(lines.join('\n'));
}

await main();
