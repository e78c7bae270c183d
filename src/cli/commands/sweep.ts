/**
 * `testbeds sweep`: the automaton × depth experiment. Trains one Transformer per cell in a pool of
 * `testbeds train` child processes (--jobs), skips cells already finished in --out (a sweep can be
 * stopped and re-run), and after every cell rewrites table.md, table.csv, table.json and
 * heatmap.svg with the paper's table and the algebraic verdicts beside ours.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, flag, int, intList, list, num, oneOf, parse, str, type OptionSpec } from '../args.js';
import type { Command } from '../command.js';
import { makeDir, OutputError, RunLock, writeFileAtomic } from '../../io/index.js';
import { buildReport, cellFromResult, PRESETS, reportCsv, reportMarkdown, reportSvg, splitAutomata, trainArgs, type SweepCell, type SweepSettings } from '../../learning/sweep.js';

const usage = `usage: testbeds sweep [--preset quick|paper] [options]

  --preset NAME      quick (default; T=16, width 32, 4 heads, 3000 steps, AdamW 3e-3, depths
                     1,2,3,4,6,8: 77 min measured with --jobs 2 on a 2-core machine) | paper (T=100, width 512,
                     8 heads, batch 64, 20k steps, AdamW 3e-4 warmup + cosine, depths 1..8,12,16)
  --automata LIST    comma-separated rows (default: the paper's ten; cyclic_product:2,2,2 is fine)
  --depths LIST      comma-separated layer counts
  --length T, --width D, --heads H, --batch B, --steps N, --lr LR, --warmup N, --seed S
                     override the preset
  --jobs N           parallel training processes (default 1)
  --out DIR          results directory (default sweep-PRESET); finished cells are reused.
                     DIR/settings.json records the training settings: a sweep with other
                     settings (length, width, steps, lr, ...) is refused unless --force (then
                     cells are retrained under the new ones); --automata/--depths may change
  --force            replace the results of a sweep with other settings in --out
  --json             print the report as one JSON object on stdout

  more than one machine (docs/queue.md):
  --queue URL        redis://[USER:PASSWORD@]HOST:PORT[/DB] or rediss://…: enqueue the missing
                     cells as BullMQ jobs for \`testbeds worker\`s, then follow them and write the
                     tables as results arrive (Ctrl-C stops following; the jobs keep running)
  --status           with --queue: print each cell's state and exit
  --estimate         measure step times here and print the grid's cost in core-hours; no training
  --store DIR        shared directory the workers keep large checkpoints in (their --store)

example: testbeds sweep --preset quick --automata parity,cyclic:3,symmetric:5 --depths 1,2,4 --jobs 2`;

const options: OptionSpec = {
  preset: { type: 'string' },
  automata: { type: 'string' },
  depths: { type: 'string' },
  length: { type: 'string' },
  width: { type: 'string' },
  heads: { type: 'string' },
  batch: { type: 'string' },
  steps: { type: 'string' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  seed: { type: 'string' },
  jobs: { type: 'string' },
  out: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
  queue: { type: 'string' },
  status: { type: 'boolean' },
  estimate: { type: 'boolean' },
  store: { type: 'string' },
  'poll-ms': { type: 'string' },
};

export function binPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const rel of ['../../../bin/testbeds.js', '../../../../bin/testbeds.js']) {
    const p = resolve(here, rel);
    if (existsSync(p)) return p;
  }
  throw new Error('cannot find bin/testbeds.js next to this module');
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '_');
}

export const command: Command = {
  summary: 'train the automaton × depth grid; table (md, csv, json) and heatmap beside the paper',
  usage,
  async run(argv) {
    const p = parse(argv, options, false);
    const preset = oneOf(p, 'preset', ['quick', 'paper'] as const, 'quick');
    const base = PRESETS[preset];
    // list() refuses empty items ("parity,,cyclic:3"); splitAutomata then rejoins cyclic_product:2,2,2.
    const automata = list(p, 'automata', (x) => x) ? splitAutomata(str(p, 'automata')!) : base.automata;
    const depths = intList(p, 'depths', 1, 1024) ?? base.depths;
    const s: SweepSettings = {
      ...base,
      automata,
      depths,
      length: int(p, 'length', base.length, 1)!,
      width: int(p, 'width', base.width, 1)!,
      heads: int(p, 'heads', base.heads, 1)!,
      batch: int(p, 'batch', base.batch, 1)!,
      steps: int(p, 'steps', base.steps, 1)!,
      lr: num(p, 'lr', base.lr, 0)!,
      warmup: int(p, 'warmup', Math.min(base.warmup, Math.round(0.1 * (int(p, 'steps', base.steps, 1) ?? base.steps))), 0)!,
      seed: int(p, 'seed', base.seed)!,
    };
    if (s.width % s.heads !== 0) throw new CliError(`--width ${s.width} is not divisible by --heads ${s.heads}`);
    const { isZooName, zoo } = await import('../../automata/index.js');
    const { ROW_AUTOMATON } = await import('../../learning/sweep.js');
    for (const a of automata) {
      const name = ROW_AUTOMATON[a] ?? a;
      if (!isZooName(name)) throw new CliError(`--automata: "${a}" is not a zoo automaton`);
      try {
        zoo(name);
      } catch (e) {
        throw new CliError(`--automata: ${(e as Error).message}`);
      }
    }
    if (flag(p, 'estimate')) {
      // A cost estimate trains in scratch directories and writes nothing: no --out, no lock, no
      // settings.json (an estimate next to a real sweep must not touch it).
      for (const o of ['out', 'force', 'jobs', 'status', 'store', 'queue', 'poll-ms']) if (p.values[o] !== undefined) throw new CliError(`--estimate writes nothing and trains nothing here: drop --${o}`);
      const { estimateSweep } = await import('../sweep-queue.js');
      return estimateSweep({ settings: s, json: flag(p, 'json'), cli: [process.execPath, binPath()] });
    }
    const jobs = int(p, 'jobs', 1, 1, 64)!;
    const out = str(p, 'out') ?? `sweep-${preset}`;
    let lock: RunLock;
    try {
      lock = RunLock.acquire(out, 'sweep directory');
      checkSweepSettings(out, { preset, ...s }, flag(p, 'force'));
      makeDir(join(out, 'runs'));
      writeFileAtomic(join(out, 'settings.json'), JSON.stringify({ preset, ...s }, null, 1) + '\n', { force: true });
    } catch (e) {
      throw new CliError(`--out ${out}: ${(e as Error).message}`);
    }
    try {
      return await runSweep(p, s, preset, automata, depths, jobs, out);
    } finally {
      lock.release();
    }
  },
};

/** Settings that change what a cell trains; --automata and --depths only choose which cells. */
function checkSweepSettings(out: string, now: Record<string, unknown>, force: boolean): void {
  const file = join(out, 'settings.json');
  if (!existsSync(file)) return;
  let before: Record<string, unknown>;
  try {
    before = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    if (force) return;
    throw new OutputError(`${file} is not readable JSON; pass --force to start this sweep directory over`);
  }
  const differ = Object.keys({ ...before, ...now }).filter((k) => k !== 'automata' && k !== 'depths' && JSON.stringify(before[k]) !== JSON.stringify(now[k]));
  if (differ.length && !force) {
    const list = differ.map((k) => `${k} ${JSON.stringify(before[k]) ?? 'unset'} there, ${JSON.stringify(now[k]) ?? 'unset'} here`).join('; ');
    throw new OutputError(`holds a sweep with other settings (${list}); pass --force to replace its results, or choose another --out`);
  }
}

async function runSweep(p: ReturnType<typeof parse>, s: SweepSettings, preset: string, automata: string[], depths: number[], jobs: number, out: string): Promise<number> {

    const cells: SweepCell[] = [];
    const queue: { automaton: string; depth: number; dir: string }[] = [];
    for (const a of automata) {
      for (const d of depths) {
        const dir = join(out, 'runs', `${slug(a)}-L${d}`);
        const resFile = join(dir, 'result.json');
        if (existsSync(resFile)) {
          let prev: { args?: unknown; cell?: SweepCell } = {};
          try {
            prev = JSON.parse(readFileSync(resFile, 'utf8'));
          } catch {
            /* unreadable: the cell is trained again */
          }
          if (prev.cell && JSON.stringify(prev.args) === JSON.stringify(trainArgs(s, a, d, dir))) {
            cells.push(prev.cell);
            continue;
          }
        }
        queue.push({ automaton: a, depth: d, dir });
      }
    }
    const total = automata.length * depths.length;
    const write = () => {
      const r = buildReport(s, cells);
      writeFileAtomic(join(out, 'table.md'), reportMarkdown(r), { force: true });
      writeFileAtomic(join(out, 'table.csv'), reportCsv(r), { force: true });
      writeFileAtomic(join(out, 'table.json'), JSON.stringify(r, null, 1) + '\n', { force: true });
      writeFileAtomic(join(out, 'heatmap.svg'), reportSvg(r), { force: true });
      return r;
    };
    write();
    if (str(p, 'queue') !== undefined || flag(p, 'estimate') || flag(p, 'status')) {
      if (flag(p, 'status') && str(p, 'queue') === undefined) throw new CliError('--status needs --queue URL');
      const { runQueuedSweep } = await import('../sweep-queue.js');
      return runQueuedSweep({ url: str(p, 'queue'), status: flag(p, 'status'), estimate: flag(p, 'estimate'), store: str(p, 'store'), pollMs: int(p, 'poll-ms', 1000, 50, 60_000)!, json: flag(p, 'json'), settings: s, out, pending: queue, cells, write, cli: [process.execPath, binPath()] });
    }
    process.stderr.write(`sweep ${preset}: ${total} cells (${cells.length} already done), ${jobs} job(s), results in ${out}\n`);
    const bin = binPath();
    const t0 = Date.now();
    let done = cells.length;
    const runOne = (job: { automaton: string; depth: number; dir: string }) =>
      new Promise<void>((resolveRun) => {
        const args = trainArgs(s, job.automaton, job.depth, job.dir);
        // --force: an unfinished cell (a killed sweep) is trained again from the start.
        const child = spawn(process.execPath, [bin, ...args, '--force'], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b) => (stdout += b));
        child.stderr.on('data', (b) => (stderr += b));
        child.on('close', (code) => {
          let cell: SweepCell;
          try {
            if (code !== 0) throw new Error(stderr.trim().split('\n').pop() || `exit code ${code}`);
            const j = JSON.parse(stdout.trim().split('\n').pop()!);
            cell = cellFromResult(job.automaton, job.depth, j);
            makeDir(job.dir);
            writeFileAtomic(join(job.dir, 'result.json'), JSON.stringify({ args, cell, result: j }, null, 1) + '\n', { force: true });
          } catch (e) {
            cell = { automaton: job.automaton, depth: job.depth, accuracy: null, accuracyLast: null, accuracySequence: null, seconds: null, tokensPerSecond: null, error: (e as Error).message };
          }
          cells.push(cell);
          done++;
          write();
          const el = ((Date.now() - t0) / 1000).toFixed(0);
          process.stderr.write(`[${done}/${total}] ${job.automaton} L=${job.depth}: ${cell.accuracy === null ? `FAILED (${cell.error})` : `${(100 * cell.accuracy).toFixed(1)}% in ${cell.seconds!.toFixed(0)} s`} (${el} s elapsed)\n`);
          resolveRun();
        });
      });
    const workers = Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) await runOne(job);
    });
    await Promise.all(workers);
    const r = write();
    if (flag(p, 'json')) console.log(JSON.stringify(r));
    else console.log(reportMarkdown(r));
    return cells.some((c) => c.accuracy === null) ? 1 : 0;
}
