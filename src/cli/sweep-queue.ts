/**
 * `testbeds sweep --queue URL` (and `--status`, `--estimate`): the CLI side of a sweep fanned out
 * over machines. Enqueues the cells the results directory lacks, then follows the queue: prints
 * cells done / running / waiting / failed with each running cell's step and accuracy and an ETA
 * from measured step times, and as each cell finishes writes its result, log and final checkpoint
 * into the results directory and rewrites the tables exactly as the local pool does. Ctrl-C stops
 * following only; the same command re-attaches.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './args.js';
import { writeFileAtomic } from '../io/index.js';
import { cellFromResult, trainArgs, type SweepCell, type SweepReport, type SweepSettings } from '../learning/sweep.js';
import { parseQueueUrl, scrub, verify, type QueueAddress } from '../learning/queue/connection.js';
import { duration, eta, gridCost, stepTimeModel, type StepTime } from '../learning/queue/estimate.js';
import { queuedCells, SweepQueue, type CellState, type QueuedCell } from '../learning/queue/sweep-queue.js';

export interface QueuedSweep {
  url?: string;
  status: boolean;
  estimate: boolean;
  store?: string;
  pollMs: number;
  json: boolean;
  settings: SweepSettings;
  out: string;
  /** Cells without a result in `out`. */
  pending: { automaton: string; depth: number; dir: string }[];
  /** Cells already done (the tables' contents); results are appended as they arrive. */
  cells: SweepCell[];
  write: () => SweepReport;
  /** Command that runs the CLI: [node, bin/testbeds.js]. */
  cli: string[];
}

/** A cell's files are replaced only by the same cell's newer result (same settings, same directory). */
const atomicWrite = (file: string, data: string | Uint8Array) => writeFileAtomic(file, data, { force: true });

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)}%`);

export async function runQueuedSweep(o: QueuedSweep): Promise<number> {
  const s = o.settings;
  if (o.estimate) return estimateSweep(o);
  let addr: QueueAddress;
  try {
    addr = parseQueueUrl(o.url!);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  try {
    await verify(addr);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  const total = s.automata.length * s.depths.length;
  const dirOf = new Map(o.pending.map((c) => [`${c.automaton}\u0000${c.depth}`, c.dir]));
  const mine = queuedCells(s, o.pending);
  const q = new SweepQueue(addr);
  const say = (line: string) => process.stderr.write(scrub(line, addr) + '\n');
  try {
    await withRedis(addr, say, async () => {
      if (!o.status) {
        const r = await q.enqueue(mine);
        say(`sweep: ${total} cells (${o.cells.length} already in ${o.out}); queue ${addr.redacted}: ${r.added} enqueued, ${r.present} already queued${r.retried ? `, ${r.retried} failed before and retried` : ''}`);
      }
    });
    if (o.status) {
      const states = await withRedis(addr, say, () => q.states(mine));
      const line = summary(states, o.cells.length, total, s);
      if (o.json) console.log(JSON.stringify({ total, inResults: o.cells.length, cells: states.map((x) => ({ automaton: x.cell.automaton, depth: x.cell.depth, job: x.cell.id, state: x.state, attempts: x.attempts, progress: x.progress ?? null, error: x.error ?? null })) }));
      else {
        console.log(line);
        for (const x of states) console.log(`  ${x.cell.automaton} L=${x.cell.depth}: ${x.state}${x.progress && x.state === 'active' ? ` step ${x.progress.step}/${x.progress.steps} ${pct(x.progress.accuracy)} on ${x.progress.worker}` : ''}${x.error ? ` (${x.error})` : ''}`);
      }
      return 0;
    }
    return await follow(o, q, mine, dirOf, total, say);
  } finally {
    await q.close();
  }
}

/** Runs `f`, retrying while Redis is unreachable (restarting), with one message per outage. */
async function withRedis<T>(addr: QueueAddress, say: (l: string) => void, f: () => Promise<T>, stopped = () => false): Promise<T> {
  let told = false;
  for (let attempt = 0; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (stopped()) throw e;
      if (attempt >= 300) throw new CliError(`--queue ${addr.redacted}: ${scrub((e as Error).message, addr)}`);
      if (!told) say(`sweep: redis ${addr.redacted}: ${scrub((e as Error).message, addr)}; retrying`);
      told = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

function summary(states: CellState[], inResults: number, total: number, s: SweepSettings): string {
  const n = (k: string) => states.filter((x) => x.state === k).length;
  const running = states.filter((x) => x.state === 'active');
  const points: StepTime[] = [];
  for (const x of states) {
    if (x.progress?.secondsPerStep) points.push({ depth: x.cell.depth, secondsPerStep: x.progress.secondsPerStep });
    const r = x.outcome?.result as { tokensPerSecond?: number } | undefined;
    if (r?.tokensPerSecond) points.push({ depth: x.cell.depth, secondsPerStep: (s.batch * s.length) / r.tokensPerSecond });
  }
  const model = stepTimeModel(points);
  const left = states.filter((x) => x.state !== 'completed' && x.state !== 'failed').map((x) => ({ depth: x.cell.depth, steps: s.steps - (x.progress?.step ?? 0) }));
  const etaText = model ? `, ETA ${duration(eta(model, left, Math.max(1, running.length)))}` : '';
  const cells = running.map((x) => `${x.cell.automaton} L=${x.cell.depth} ${x.progress ? `${x.progress.step}/${x.progress.steps} ${pct(x.progress.accuracy)}` : 'starting'}`).join('; ');
  return `queue: ${inResults + n('completed')}/${total} done, ${running.length} running, ${n('waiting') + n('delayed')} waiting, ${n('failed')} failed${n('missing') ? `, ${n('missing')} not enqueued` : ''}${etaText}${cells ? ` | ${cells}` : ''}`;
}

async function follow(o: QueuedSweep, q: SweepQueue, mine: QueuedCell[], dirOf: Map<string, string>, total: number, say: (l: string) => void): Promise<number> {
  const s = o.settings;
  let stopped = false;
  const onSigint = () => {
    stopped = true;
  };
  process.once('SIGINT', onSigint);
  const t0 = Date.now();
  const open = new Set(mine.map((c) => c.id));
  let failed = 0;
  let lastLine = '';
  let lastPrint = 0;
  const tty = !!process.stderr.isTTY;
  try {
    while (open.size > 0 && !stopped) {
      const states = await withRedis(q.address, say, () => q.states(mine.filter((c) => open.has(c.id))), () => stopped).catch(() => null);
      if (!states) break;
      for (const x of states) {
        const c = x.cell;
        const dir = dirOf.get(`${c.automaton}\u0000${c.depth}`)!;
        if (x.state === 'completed' && x.outcome) {
          const files = await withRedis(q.address, say, () => q.files(c, x.outcome!, o.store), () => stopped).catch((e: Error) => e);
          if (files instanceof Error) {
            if (stopped) break;
            say(`sweep: ${files.message}`);
            o.cells.push({ ...failedCell(c), error: files.message });
            failed++;
          } else {
            const j = x.outcome.result as Parameters<typeof cellFromResult>[2];
            const cell = cellFromResult(c.automaton, c.depth, j);
            mkdirSync(dir, { recursive: true });
            atomicWrite(join(dir, 'checkpoint.tbck'), files.checkpoint);
            atomicWrite(join(dir, 'log.jsonl'), files.log);
            // Same record as the local pool (args with this directory), so a local re-run reuses it.
            atomicWrite(join(dir, 'result.json'), JSON.stringify({ args: trainArgs(s, c.automaton, c.depth, dir), cell, result: j, queue: { job: c.id, worker: x.outcome.worker, resumedFrom: x.outcome.resumedFrom } }, null, 1) + '\n');
            o.cells.push(cell);
            say(`[${o.cells.length}/${total}] ${c.automaton} L=${c.depth}: ${pct(cell.accuracy)} in ${cell.seconds!.toFixed(0)} s on ${x.outcome.worker}${x.outcome.resumedFrom ? ` (resumed at step ${x.outcome.resumedFrom})` : ''} (${((Date.now() - t0) / 1000).toFixed(0)} s elapsed)`);
          }
          open.delete(c.id);
          o.write();
        } else if (x.state === 'failed') {
          o.cells.push({ ...failedCell(c), error: x.error ?? 'failed' });
          failed++;
          open.delete(c.id);
          o.write();
          say(`[${o.cells.length}/${total}] ${c.automaton} L=${c.depth}: FAILED after ${x.attempts} attempt(s) (${x.error})`);
        }
      }
      const line = summary(states.filter((x) => open.has(x.cell.id)), o.cells.length, total, s);
      if (tty) process.stderr.write(`\r${line.slice(0, (process.stderr.columns || 160) - 1)}\x1b[K`);
      else if (line !== lastLine && Date.now() - lastPrint > 10_000) {
        say(line);
        lastPrint = Date.now();
      }
      lastLine = line;
      if (open.size > 0 && !stopped) await new Promise((r) => setTimeout(r, o.pollMs));
    }
  } finally {
    process.off('SIGINT', onSigint);
    if (tty) process.stderr.write('\n');
  }
  const r = o.write();
  if (stopped) {
    say(`sweep: stopped following; ${open.size} cell(s) stay queued or running on the workers. Run the same command again to re-attach.`);
    return 130;
  }
  if (o.json) console.log(JSON.stringify(r));
  else {
    const { reportMarkdown } = await import('../learning/sweep.js');
    console.log(reportMarkdown(r));
  }
  return failed > 0 || o.cells.some((c) => c.accuracy === null) ? 1 : 0;
}

function failedCell(c: QueuedCell): SweepCell {
  return { automaton: c.automaton, depth: c.depth, accuracy: null, accuracyLast: null, accuracySequence: null, seconds: null, tokensPerSecond: null };
}

/**
 * Seconds per training step measured here at `depth`: one `testbeds train` run of the cell (no
 * evaluation) stopped with SIGINT after `budgetSeconds` of steps (at least `minSteps`); the median
 * gap between logged steps after the first two (which pay for compilation) is robust to a
 * machine's other load.
 */
async function measureStep(o: EstimateRequest, depth: number, budgetSeconds: number, minSteps: number): Promise<{ secondsPerStep: number; steps: number }> {
  const s = o.settings;
  const dir = mkdtempSync(join(tmpdir(), 'tb-estimate-'));
  try {
    const args = [...trainArgs(s, s.automata[0], depth, dir), '--eval-every', String(s.steps), '--checkpoint-every', String(s.steps)];
    const child = spawn(o.cli[0], [...o.cli.slice(1), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b) => (err += b));
    const closed = new Promise<number>((res) => child.on('close', (c) => res(c ?? 1)));
    let seconds: number[] = [];
    const read = () => {
      try {
        seconds = readFileSync(join(dir, 'log.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l).seconds as number);
      } catch {
        // not written yet, or a line half-written: read again
      }
    };
    let sent = false; // once: a second SIGINT would kill the run before it exits cleanly
    const timer = setInterval(() => {
      read();
      if (!sent && seconds.length >= 2 + minSteps && seconds[seconds.length - 1] - seconds[1] >= budgetSeconds) sent = child.kill('SIGINT');
    }, 200);
    const code = await closed;
    clearInterval(timer);
    read();
    if (code !== 0 && code !== 130) throw new CliError(`--estimate: measuring L=${depth} failed (exit code ${code}): ${err.trim().split('\n').pop()}`);
    const gaps = seconds.slice(2).map((t, i) => t - seconds[i + 1]).sort((x, y) => x - y);
    if (gaps.length === 0) throw new CliError(`--estimate: too few steps at L=${depth} to time (--steps ${s.steps})`);
    return { secondsPerStep: gaps[Math.floor(gaps.length / 2)], steps: gaps.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What --estimate needs: the grid's settings and how to run the CLI; it reads and writes no sweep directory. */
export type EstimateRequest = Pick<QueuedSweep, 'settings' | 'json' | 'cli'>;

export async function estimateSweep(o: EstimateRequest): Promise<number> {
  const s = o.settings;
  const depths = [...new Set(s.depths)].sort((a, b) => a - b).slice(0, 2);
  const budget = 10;
  process.stderr.write(`estimate: timing ~${budget} s of training steps at L = ${depths.join(' and ')} here (T=${s.length}, width ${s.width}, batch ${s.batch}; one process, one core)\n`);
  const points: (StepTime & { steps: number })[] = [];
  for (const d of depths) points.push({ depth: d, ...(await measureStep(o, d, budget, 5)) });
  const model = stepTimeModel(points)!;
  // A deeper model cannot step faster: if it did, other load changed between the measurements.
  const warning = points.length === 2 && points[1].secondsPerStep <= points[0].secondsPerStep ? `step time fell with depth (${points.map((p) => `${p.secondsPerStep.toFixed(3)} s at L=${p.depth}`).join(', ')}): other load on this machine changed while measuring, and the per-layer cost is unknown (taken as 0); measure again on an idle machine` : undefined;
  if (warning) process.stderr.write(`estimate: WARNING ${warning}\n`);
  const cost = gridCost(model, s.depths, s.automata.length, s.steps);
  const longest = Math.max(...cost.perCell.map((c) => c.seconds));
  const fleets = [1, 10, 30, 100].map((n) => ({ processes: n, wallSeconds: Math.max((cost.coreHours * 3600) / n, longest) }));
  if (o.json) {
    console.log(JSON.stringify({ ...(warning ? { warning } : {}), measured: points, perCell: cost.perCell, rows: s.automata.length, steps: s.steps, coreHours: cost.coreHours, longestCellSeconds: longest, fleets }));
    return 0;
  }
  console.log(`measured here (median of ${points.map((p) => p.steps).join(' and ')} steps): ${points.map((p) => `${p.secondsPerStep.toFixed(4)} s/step at L=${p.depth}`).join(', ')}; other depths from a + b·L`);
  for (const c of cost.perCell) console.log(`  L=${c.depth}: ${c.secondsPerStep.toFixed(4)} s/step × ${s.steps} steps = ${duration(c.seconds)} per cell`);
  console.log(`grid: ${s.automata.length} rows × ${s.depths.length} depths × ${s.steps} steps = ${cost.coreHours.toFixed(cost.coreHours < 10 ? 2 : 0)} core-hours of training steps (evaluation and start-up excluded)`);
  console.log(`wall time with N training processes (one per core; a cell runs on one core, so never below the longest cell, ${duration(longest)}):`);
  for (const f of fleets) console.log(`  N = ${String(f.processes).padStart(3)}: ${duration(f.wallSeconds)}`);
  return 0;
}
