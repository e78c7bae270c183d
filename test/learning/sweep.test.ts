// The sweep's pure parts: list parsing, minimal depth, Spearman ρ, report files; and one tiny
// sweep through the CLI (two cells, reusing finished cells on a re-run).
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildReport, minimalDepth, PAPER_TABLE, PRESETS, reportCsv, reportMarkdown, reportSvg, spearman, splitAutomata } from '../../src/learning/sweep.js';
import { main } from '../../src/cli/main.js';
import { cli } from '../helpers/cli.js';

describe('sweep helpers', () => {
  it('splits automaton lists whose names contain commas', () => {
    expect(splitAutomata('parity,cyclic_product:2,2,2,dyck:2,4,symmetric:5')).toEqual(['parity', 'cyclic_product:2,2,2', 'dyck:2,4', 'symmetric:5']);
  });

  it('minimal depth and Spearman ρ (ties averaged, never-reached ranks last)', () => {
    expect(minimalDepth([1, 2, 4], [0.5, 0.995, 1], 0.99)).toBe(2);
    expect(minimalDepth([1, 2, 4], [0.5, null, 0.9], 0.99)).toBeNull();
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // ranks [1.5, 1.5, 3, 4] vs [1, 2, 3, 4]: ρ = 0.9487
    expect(spearman([1, 1, 2, null], [1, 2, 3, 4])).toBeCloseTo(0.9486832980505138, 12);
    expect(spearman([2, 2, 2], [1, 2, 3])).toBeNull();
  });

  it('the paper table matches shared/reference and the paper preset has its settings', () => {
    expect(PAPER_TABLE.rows['symmetric:5'][8]).toBe(97.2);
    expect(PRESETS.paper).toMatchObject({ length: 100, width: 512, heads: 8, batch: 64, steps: 20000, lr: 3e-4 });
    expect(PRESETS.quick.automata).toHaveLength(10);
    expect(PRESETS.quick.depths).toEqual([1, 2, 3, 4, 6, 8]);
  });

  it('report: markdown, csv and svg carry our cells, the paper, verdicts and ρ', () => {
    const s = { ...PRESETS.quick, automata: ['parity', 'quaternion', 'symmetric:5'], depths: [1, 2] };
    const cell = (automaton: string, depth: number, accuracy: number) => ({ automaton, depth, accuracy, accuracyLast: accuracy, accuracySequence: accuracy, seconds: 1, tokensPerSecond: 1 });
    const r = buildReport(s, [cell('parity', 1, 0.995), cell('parity', 2, 1), cell('quaternion', 1, 0.5), cell('quaternion', 2, 0.992), cell('symmetric:5', 1, 0.1), cell('symmetric:5', 2, 0.2)]);
    expect(r.rows.map((x) => x.minDepth)).toEqual([1, 2, null]);
    expect(r.rows.map((x) => x.paperMinDepth)).toEqual([2, 6, 16]);
    expect(r.rows.map((x) => x.algebra)).toEqual(['solvable', 'solvable', 'non-solvable']);
    expect(r.spearman).toBeCloseTo(1, 12);
    // mean errors 0.0025, 0.254, 0.85 against paper depths 2, 6, 16: same order.
    expect(r.spearmanError).toBeCloseTo(1, 12);
    const md = reportMarkdown(r);
    expect(md).toMatch(/\| quaternion \| solvable \(Q8\) \| 50\.0 \| 99\.2 \| 2 \| 6 \|/);
    expect(md).toMatch(/\| symmetric:5 \| non-solvable \(S5\) \| 10\.0 \| 20\.0 \| > 2 \| 16 \|/);
    expect(reportCsv(r).split('\n')[1]).toMatch(/^"parity","parity",solvable,0\.99500,1\.00000,1,/);
    expect(reportSvg(r)).toMatch(/^<svg[\s\S]*symmetric:5 · non-solvable[\s\S]*<\/svg>\n$/);
  });
});

describe('testbeds sweep', () => {
  it('runs a tiny grid, writes the tables, and reuses finished cells', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-sweep-'));
    const argv = ['sweep', '--automata', 'parity', '--depths', '1,2', '--length', '4', '--width', '8', '--heads', '2', '--batch', '4', '--steps', '2', '--jobs', '2', '--out', out, '--json'];
    const logs: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void logs.push(a.join(' ')));
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((() => true) as typeof process.stderr.write);
    try {
      expect(await main(argv)).toBe(0);
      const r = JSON.parse(logs.pop()!);
      expect(r.rows[0].accuracy).toHaveLength(2);
      expect(r.rows[0].accuracy.every((x: number) => x >= 0 && x <= 1)).toBe(true);
      expect(readFileSync(join(out, 'table.md'), 'utf8')).toMatch(/\| parity \| solvable \(C2\) \|/);
      // Nothing retrained: the cells' result files are left as they were.
      const results = readdirSync(join(out, 'runs')).map((c) => join(out, 'runs', c, 'result.json'));
      const before = results.map((f) => statSync(f).mtimeMs);
      expect(await main(argv)).toBe(0);
      expect(results.map((f) => statSync(f).mtimeMs)).toEqual(before);
      expect(JSON.parse(logs.pop()!).rows[0].accuracy).toEqual(r.rows[0].accuracy);
    } finally {
      log.mockRestore();
      err.mockRestore();
    }
  });
});

describe('testbeds sweep --estimate', () => {
  it('times steps at the two smallest depths and prices the grid, writing nothing', async () => {
    const before = existsSync(join(process.cwd(), 'sweep-quick'));
    const r = await cli(['sweep', '--estimate', '--automata', 'parity,cyclic:3', '--depths', '1,2,4', '--length', '8', '--width', '8', '--heads', '2', '--batch', '8', '--steps', '400', '--json'], { stderrWrites: true });
    expect(r.code).toBe(0);
    const e = JSON.parse(r.out);
    expect(e.measured.map((m: { depth: number }) => m.depth)).toEqual([1, 2]);
    for (const m of e.measured) {
      expect(m.secondsPerStep).toBeGreaterThan(0);
      expect(m.steps).toBeGreaterThanOrEqual(5);
    }
    expect(e.perCell.map((c: { depth: number }) => c.depth)).toEqual([1, 2, 4]);
    // 2 rows × Σ_L (s/step × 400 steps), in core-hours.
    const seconds = e.perCell.reduce((a: number, c: { seconds: number }) => a + c.seconds, 0);
    expect(e.coreHours).toBeCloseTo((2 * seconds) / 3600, 10);
    expect(e.fleets[0]).toEqual({ processes: 1, wallSeconds: e.coreHours * 3600 });
    expect(r.err).toMatch(/estimate: timing ~10 s of training steps at L = 1 and 2 here/);
    expect(existsSync(join(process.cwd(), 'sweep-quick'))).toBe(before); // no default results directory made
  }, 120_000);

  it('refuses the options of a real sweep (it writes nothing and trains nothing here)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-sweep-'));
    const r = await cli(['sweep', '--estimate', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toBe('testbeds sweep: --estimate writes nothing and trains nothing here: drop --out');
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('algebra verdicts of the sweep rows (computed by src/algebra)', () => {
  it('names the paper rows solvable, non-solvable or aperiodic as GAP does', async () => {
    const { algebraVerdict, PAPER_ROWS } = await import('../../src/learning/sweep.js');
    const got = Object.fromEntries(PAPER_ROWS.map((r: string) => [r, algebraVerdict(r).verdict]));
    expect(got).toEqual({
      dyck: 'aperiodic', 'gridworld:9': 'aperiodic', parity: 'solvable', 'cyclic:3': 'solvable',
      'cyclic_product:2,2,2': 'solvable', 'dihedral:3': 'solvable', 'dihedral:4': 'solvable',
      quaternion: 'solvable', 'alternating:5': 'non-solvable', 'symmetric:5': 'non-solvable',
    });
    expect(algebraVerdict('symmetric:5').groups).toBe('S5');
    expect(algebraVerdict('not-an-automaton').verdict).toBe('unknown');
  });
});
