/**
 * `testbeds flipflop`: attention glitches on flip-flop language modelling (Liu, Ash, Goel,
 * Krishnamurthy, Zhang 2023). Trains each model on FFL(0.8) and counts wrong reads on the
 * paper's three test sets, with Wilson 95% intervals.
 */
import { CliError, flag, int, num, oneOf, parse, str } from '../args.js';
import type { Command } from '../command.js';

const FILES = ['flipflop.json', 'flipflop.md', 'flipflop.csv'];

const usage = `usage: testbeds flipflop [--preset quick|paper] [--models transformer,lstm]
                        [--mitigations baseline,dropout,wd,entropy] [--reads N] [--steps N]
                        [--length T] [--tests 0.8,0.98,0.1] [--seed S] [--backend wasm|cpu]
                        [--out DIR [--resume | --force] [--jobs N]] [--json]
       testbeds flipflop --show DIR [--row transformer] [--test sparse] [--max-reads N] [--svg FILE] [--json]

Trains each model on FFL(p_i = 0.8) (tokens w r i 0 1; the loss on the bits after r) and evaluates
it on fresh sequences of the paper's three test sets: in distribution (p_i = 0.8), sparse tail
(p_i = 0.98: long gaps between write and read) and dense tail (p_i = 0.1). A glitch is a read
answered wrongly. Per model and test set it reports the error per read and the fraction of
sequences with at least one glitch, each with a Wilson score 95% interval, and the evaluation
throughput (reads/s). Evaluation is streamed batch by batch until --reads reads are scored.

Transformer rows are repeated under the mitigations of the paper (§5): dropout (residual and
attention dropout), wd (AdamW weight decay), entropy (an attention-sharpening penalty: λ times the
mean entropy of the attention rows added to the loss), each row trained from the same seed.

options:
  --preset P        quick (T = 64, 2-layer width-32 Transformer, width-32 LSTM, 2000 steps, 10^5
                    reads per cell; default) | paper (T = 512, 6×512×8 Transformer, 128-wide LSTM,
                    10^4 steps, 10^6 reads per cell: hours to days on this CPU)
  --models LIST     of transformer, lstm, gru, rnn (default transformer,lstm)
  --mitigations L   Transformer rows, of baseline, dropout, wd, entropy (default all four)
  --dropout P, --wd X, --entropy L
                    mitigation strengths (default 0.1, 0.1, 0.01; the baseline has weight decay 0)
  --reads N         reads to evaluate per model and test set, at least (overrides the preset)
  --steps N         training steps per model (overrides the preset)
  --layers N, --width D, --heads H, --lr X
                    model size and AdamW learning rate (override the preset; heads: Transformer)
  --length T        sequence length in tokens, even ≥ 4 (overrides the preset)
  --batch B         training batch (overrides the preset)
  --train-p P       training p_i (default 0.8)
  --tests LIST      test p_i values, each in [0, 1) (default 0.8,0.98,0.1)
  --eval-batch B    sequences per evaluation batch (default by preset)
  --seed S          seed of weights, training data and test sets (default 1)
  --backend NAME    wasm (default) | cpu
  --out DIR         run directory: each row trains in DIR/<row>/ (checkpoints every 250 steps,
                    its cells in DIR/<row>/cells.json), then DIR/${FILES.join(', ')}
  --resume          continue the rows already in DIR (a killed run loses at most 250 steps)
  --force           retrain the rows in DIR from scratch, replacing them
  --jobs N          rows trained at once, each in its own process (default 1; needs --out). Rows
                    start longest first (entropy, dropout, baseline, wd, then the RNNs); their
                    progress lines carry the row's name; the run holds DIR's lock, each process
                    its row's. Same numbers as --jobs 1 (each row is seeded on its own). Kill the
                    run and every row process stops; --resume continues it.
  --checkpoint-every N
                    steps between a row's checkpoints (default 250)
  --micro-batch M   gradient accumulation: run each batch as micro-batches of M sequences and sum
                    their gradients (same data and step; bits differ from the whole batch by
                    rounding). auto (default): the whole batch when it fits the wasm heap, else
                    the largest divisor that fits (the paper preset: 4, and 2 for entropy/dropout)
  --estimate        time --estimate-steps steps (default 2) and one evaluation batch per test set
                    of every row, print the projected duration and the heap used, train nothing
  --json            the result as JSON on stdout (default: the Markdown table)

glitch inspector (--show DIR, a run directory of a finished or running --out):
  --row R           which row's checkpoint (default transformer, the baseline)
  --test NAME       in-distribution | sparse | dense (default sparse); the same sequences as the
                    evaluation of that test set, searched in order
  --max-reads N     give up after N reads without a glitch (default 10^6)
  --svg FILE        also write the attention heatmap as SVG (--force to replace it)
  --json            the glitch report as JSON

examples:
  npx testbeds flipflop --preset quick --out runs/ff
  npx testbeds flipflop --show runs/ff --test sparse`;

function list(v: string | undefined, name: string): string[] | undefined {
  if (v === undefined) return undefined;
  const items = v.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) throw new CliError(`--${name}: expected a comma-separated list, got "${v}"`);
  return items;
}

function pI(s: string, name: string): number {
  const x = Number(s);
  if (s === '' || !Number.isFinite(x) || x < 0 || x >= 1) throw new CliError(`--${name}: p_i must be a number in [0, 1), got "${s}"`);
  return x;
}

const TEST_NAMES: Record<string, string> = { '0.8': 'in-distribution', '0.98': 'sparse', '0.1': 'dense' };

export const command: Command = {
  summary: 'flip-flop glitches: train on FFL(0.8), count wrong reads on the paper\'s three test sets',
  usage,
  async run(argv) {
    const p = parse(
      argv,
      {
        preset: { type: 'string' },
        models: { type: 'string' },
        mitigations: { type: 'string' },
        dropout: { type: 'string' },
        wd: { type: 'string' },
        entropy: { type: 'string' },
        reads: { type: 'string' },
        steps: { type: 'string' },
        length: { type: 'string' },
        batch: { type: 'string' },
        layers: { type: 'string' },
        width: { type: 'string' },
        heads: { type: 'string' },
        lr: { type: 'string' },
        'train-p': { type: 'string' },
        tests: { type: 'string' },
        'eval-batch': { type: 'string' },
        seed: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        resume: { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        show: { type: 'string' },
        row: { type: 'string' },
        test: { type: 'string' },
        'max-reads': { type: 'string' },
        svg: { type: 'string' },
        jobs: { type: 'string' },
        'checkpoint-every': { type: 'string' },
        'micro-batch': { type: 'string' },
        estimate: { type: 'boolean' },
        'estimate-steps': { type: 'string' },
        // Internal: run one row of DIR as a worker process of --jobs N (the parent holds DIR's lock).
        'row-worker': { type: 'string' },
      },
      false,
    );
    if (str(p, 'show') !== undefined) return show(p);
    for (const f of ['row', 'test', 'max-reads', 'svg']) if (p.values[f] !== undefined) throw new CliError(`--${f} applies to --show only`);
    const preset = oneOf(p, 'preset', ['quick', 'paper'] as const, 'quick');
    const kinds = ['transformer', 'lstm', 'gru', 'rnn'] as const;
    const models = (list(str(p, 'models'), 'models') ?? ['transformer', 'lstm']).map((m) => {
      if (!(kinds as readonly string[]).includes(m)) throw new CliError(`--models: unknown model "${m}" (one of: ${kinds.join(', ')})`);
      return m as (typeof kinds)[number];
    });
    const mitigationNames = ['baseline', 'dropout', 'wd', 'entropy'] as const;
    const mitigations = list(str(p, 'mitigations'), 'mitigations')?.map((m) => {
      if (!(mitigationNames as readonly string[]).includes(m)) throw new CliError(`--mitigations: unknown mitigation "${m}" (one of: ${mitigationNames.join(', ')})`);
      return m as (typeof mitigationNames)[number];
    });
    const reads = int(p, 'reads', undefined, 1, 1e9);
    const steps = int(p, 'steps', undefined, 1, 1e7);
    const length = int(p, 'length', undefined, 4, 1 << 16);
    if (length !== undefined && length % 2 !== 0) throw new CliError(`--length: FFL sequences are instruction–bit pairs, so T must be even, got ${length}`);
    const batch = int(p, 'batch', undefined, 1, 4096);
    const trainText = str(p, 'train-p');
    const trainPI = trainText === undefined ? undefined : pI(trainText, 'train-p');
    const tests = list(str(p, 'tests'), 'tests')?.map((s) => ({ name: TEST_NAMES[String(pI(s, 'tests'))] ?? `p_i=${s}`, pI: pI(s, 'tests') }));
    const evalBatch = int(p, 'eval-batch', undefined, 1, 4096);
    const seed = int(p, 'seed', 1, 0, 2 ** 32 - 1)!;
    const backend = oneOf(p, 'backend', ['wasm', 'cpu'] as const, 'wasm');
    const force = flag(p, 'force');
    const resume = flag(p, 'resume');
    if (force && resume) throw new CliError('--resume and --force exclude each other (continue the rows, or replace them)');
    const outDir = str(p, 'out');
    if ((force || resume) && outDir === undefined) throw new CliError(`--${force ? 'force' : 'resume'} needs --out DIR`);
    const L = await import('../../learning/index.js');
    const { checkFilesWritable, writeFilesAtomic } = await import('../../io/atomic.js');
    const layers = int(p, 'layers', undefined, 1, 64);
    const width = int(p, 'width', undefined, 1, 4096);
    const heads = int(p, 'heads', undefined, 1, 64);
    const lr = num(p, 'lr', undefined, Number.MIN_VALUE, 1);
    const dropout = num(p, 'dropout', undefined, 0, 0.99);
    const weightDecay = num(p, 'wd', undefined, 0, 99);
    const entropy = num(p, 'entropy', undefined, 0, 99);
    const checkpointEvery = int(p, 'checkpoint-every', undefined, 1, 1e7);
    const jobs = int(p, 'jobs', 1, 1, 64)!;
    if (jobs > 1 && outDir === undefined) throw new CliError('--jobs N needs --out DIR (each row process writes its own DIR/<row>/)');
    const microText = str(p, 'micro-batch');
    const microBatch: number | 'auto' = microText === undefined || microText === 'auto' ? 'auto' : int(p, 'micro-batch', undefined, 1, 4096)!;
    const opts = { preset, models, mitigations, dropout, weightDecay, entropy, reads, steps, length, batch, layers, width, heads, lr, trainPI, tests, evalBatch, seed, out: outDir, resume, force, checkpointEvery, microBatch };
    if (flag(p, 'estimate')) return estimate(opts, backend, int(p, 'estimate-steps', 2, 1, 1000)!, flag(p, 'json'), jobs);
    const worker = str(p, 'row-worker');
    if (worker !== undefined) return rowWorker(opts, worker, backend);
    try {
      const plan = L.flipflopPlan(opts);
      // What cannot fit in the wasm heap is refused now, not after hours of the rows before it.
      if (backend === 'wasm') {
        for (const row of plan.rows) {
          const c = L.runConfig(row.run);
          const micro = c.microBatch !== undefined ? ` with micro-batch ${c.microBatch}` : '';
          L.checkMemory(L.estimateMemory(c), undefined, `training row ${row.id} (batch ${c.batch}${micro})`);
          L.checkMemory(L.estimateMemory(c, { training: false, batch: plan.preset.evalBatch }), undefined, `evaluating row ${row.id} (eval batch ${plan.preset.evalBatch})`);
          if (c.microBatch !== undefined) console.error(`${row.id}: batch ${c.batch} as ${Math.ceil(c.batch / c.microBatch)} micro-batches of ${c.batch % c.microBatch === 0 ? '' : 'at most '}${c.microBatch} (gradient accumulation: the whole batch needs ${gib(L.estimateMemory({ ...c, microBatch: undefined }).bytes)}, a micro-batch ${gib(L.estimateMemory(c).bytes)})`);
        }
      }
      if (preset === 'paper' && !resume) console.error(PAPER_ESTIMATE);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    // Refuse existing results before hours of training, not after (a resumed run rewrites them).
    if (outDir !== undefined) checkFilesWritable(outDir, FILES, { force: force || resume });
    if (jobs > 1) {
      const code = await runJobs(p, opts, jobs);
      if (code !== 0) return code;
    }
    await L.initBackend(backend);
    let lastReport = 0;
    const r = await L.runFlipflop({
      ...opts,
      // After --jobs N every row is stored: read them back (checked against their SHA-256).
      ...(jobs > 1 ? { resume: true, force: false } : {}),
      onStep: stepReporter(),
      onEvalBatch: (m, t, n, target) => {
        const now = Date.now();
        if (now - lastReport > 2000 || n >= target) {
          lastReport = now;
          console.error(`${m} ${t}: ${n}/${target} reads`);
        }
      },
      onRow: (row, resumed) => console.error(`${row}: ${resumed ? 'read back from' : 'done, stored in'} ${outDir ?? 'memory'}`),
    }).catch((e: Error) => {
      // Run-directory conflicts are usage errors: one line, exit 2.
      if (RUN_DIR_ERRORS.test(e.message)) throw new CliError(e.message);
      throw e;
    });
    const md = L.flipflopMarkdown(r);
    if (outDir !== undefined) {
      const written = writeFilesAtomic(outDir, { [FILES[0]]: JSON.stringify(r, null, 1) + '\n', [FILES[1]]: md, [FILES[2]]: L.flipflopCsv(r) }, { force: true });
      console.error(`wrote ${written.join(', ')}`);
    }
    if (flag(p, 'json')) console.log(JSON.stringify(r));
    else process.stdout.write(md);
    return 0;
  },
};

/**
 * Progress of training: every 100 steps, and at least once a minute when steps are slow (the
 * paper preset's take minutes), with the projected time left of the row at this session's rate.
 */
function stepReporter(): (m: string, s: number, n: number, loss: number) => void {
  let last = Date.now();
  const start = new Map<string, { t: number; s: number }>();
  return (m, s, n, loss) => {
    const now = Date.now();
    if (!start.has(m)) start.set(m, { t: now, s }); // rate from the steps after the first (set-up)
    if (s % 100 !== 0 && s !== n && now - last < 60_000) return;
    last = now;
    const st = start.get(m)!;
    if (s === st.s) return void console.error(`${m}: step ${s}/${n}, loss ${loss.toFixed(4)}`);
    const perStep = (now - st.t) / 1000 / (s - st.s);
    const left = perStep * (n - s);
    const eta = left >= 86400 ? `${(left / 86400).toFixed(1)} days` : left >= 3600 ? `${(left / 3600).toFixed(1)} h` : `${Math.round(left / 60)} min`;
    console.error(`${m}: step ${s}/${n}, loss ${loss.toFixed(4)}, ${perStep.toFixed(2)} s/step, ≈ ${eta} left`);
  };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;

/**
 * The paper preset's duration, projected from `--estimate` on this machine (see
 * bench/results/flipflop-pilots/paper-estimate.md): printed before it starts.
 */
const PAPER_ESTIMATE = 'paper preset: days to weeks on this CPU (project it first with --estimate); every row checkpoints every 250 steps and continues with --resume';

/** --estimate: time a few steps and one evaluation batch per test set of every row. */
async function estimate(opts: FlipflopCliOptions, backend: 'wasm' | 'cpu', steps: number, json: boolean, jobs: number): Promise<number> {
  const L = await import('../../learning/index.js');
  if (opts.out !== undefined || opts.resume || opts.force) throw new CliError('--estimate trains nothing and stores nothing: drop --out, --resume and --force');
  try {
    L.flipflopPlan(opts);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  await L.initBackend(backend);
  const rows = await L.estimateFlipflop({
    ...opts,
    estimateSteps: steps,
    onStep: (m, s, n) => console.error(`${m}: timing step ${s}/${n}`),
    onRowEstimate: (e) => console.error(`${e.row}: ${e.secondsPerStep.toFixed(1)} s/step (micro-batch ${e.microBatch} of ${e.batch}), heap ${e.heapBytes !== undefined ? gib(e.heapBytes) : '–'}`),
  });
  const days = (x: number) => (x >= 86400 ? `${(x / 86400).toFixed(1)} days` : `${(x / 3600).toFixed(1)} h`);
  const total = rows.reduce((a, r) => a + r.trainSeconds + r.evalSeconds, 0);
  const longest = Math.max(...rows.map((r) => r.trainSeconds + r.evalSeconds));
  if (json) {
    console.log(JSON.stringify({ steps, rows, totalSeconds: total, jobs }));
    return 0;
  }
  const lines = [
    `| row | micro-batch / batch | estimated memory | heap after the steps | s/step (wall) | CPU s/step | eval reads/s (per test set) | train (projected) | eval (projected) |`,
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.row} | ${r.microBatch} / ${r.batch} | ${gib(r.estimatedBytes)} | ${r.heapBytes !== undefined ? gib(r.heapBytes) : '–'} | ${r.secondsPerStep.toFixed(2)} | ${r.cpuSecondsPerStep?.toFixed(2) ?? '–'} | ${r.evalReadsPerSecond.map((x) => x.toFixed(0)).join(' / ')} | ${days(r.trainSeconds)} | ${days(r.evalSeconds)} |`),
    '',
    `All rows one after another: ≈ ${days(total)}; in ${jobs} parallel processes at best ≈ ${days(Math.max(longest, total / jobs))} (on this machine as loaded now; resumable with --resume).`,
  ];
  console.log(lines.join('\n'));
  return 0;
}

type FlipflopCliOptions = Parameters<typeof import('../../learning/index.js').flipflopPlan>[0];

const RUN_DIR_ERRORS = /already holds rows|other settings|SHA-256|not valid JSON|in use by another process/;

/**
 * --jobs N: the rows of the plan in N worker processes (this CLI with --row-worker ROW), longest
 * first. This process holds the run directory's lock throughout; a worker writes only DIR/<row>/.
 * Returns 0 when every row is stored, else 1 after one line per failed row.
 */
async function runJobs(p: ReturnType<typeof parse>, opts: FlipflopCliOptions, jobs: number): Promise<number> {
  const L = await import('../../learning/index.js');
  const { RunLock } = await import('../../io/lock.js');
  const { spawn } = await import('node:child_process');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { binPath } = await import('./sweep.js');
  const out = opts.out!;
  const plan = L.flipflopPlan(opts);
  const lock = (() => {
    try {
      return RunLock.acquire(out);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
  })();
  const children = new Set<import('node:child_process').ChildProcess>();
  const stopAll = (sig: NodeJS.Signals) => {
    for (const c of children) c.kill('SIGTERM');
    lock.release();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, stopAll);
  try {
    if (!opts.resume && !opts.force) {
      const taken = plan.rows.filter((r) => fs.existsSync(path.join(out, r.id)));
      if (taken.length) throw new CliError(`${out} already holds rows (${taken.map((r) => r.id).join(', ')}): continue them with --resume, replace them with --force, or choose another directory`);
    }
    // The workers' arguments: this command's, less --jobs and --json, plus the row.
    const args: string[] = [];
    for (const [k, v] of Object.entries(p.values)) {
      if (k === 'jobs' || k === 'json' || v === undefined || v === false) continue;
      if (v === true) args.push(`--${k}`);
      else args.push(`--${k}`, String(v));
    }
    const queue = L.flipflopRowOrder(plan.rows);
    process.stderr.write(`flipflop: ${queue.length} rows in ${Math.min(jobs, queue.length)} processes (${queue.map((r) => r.id).join(', ')}), run directory ${out}\n`);
    const failed: string[] = [];
    const bin = binPath();
    const runOne = (row: string) =>
      new Promise<void>((done) => {
        const child = spawn(process.execPath, [bin, 'flipflop', ...args, '--row-worker', row], { stdio: ['ignore', 'ignore', 'pipe'] });
        children.add(child);
        let partial = '';
        let last = '';
        const emit = (line: string) => {
          if (line === '') return;
          last = line;
          process.stderr.write((line.startsWith(row + ':') || line.startsWith(row + ' ') ? line : `${row}: ${line}`) + '\n');
        };
        child.stderr!.setEncoding('utf8');
        child.stderr!.on('data', (b: string) => {
          const lines = (partial + b).split('\n');
          partial = lines.pop()!;
          lines.forEach(emit);
        });
        child.on('close', (code, signal) => {
          children.delete(child);
          emit(partial);
          if (code !== 0) {
            const why = signal ? `killed by ${signal}` : `exit code ${code}`;
            failed.push(row);
            process.stderr.write(`${row}: FAILED (${why}): ${last.replace(new RegExp(`^${row.replace('+', '\\+')}: `), '')}\n`);
          }
          done();
        });
      });
    await Promise.all(
      Array.from({ length: Math.min(jobs, queue.length) }, async () => {
        for (let row = queue.shift(); row; row = queue.shift()) await runOne(row.id);
      }),
    );
    if (failed.length) {
      process.stderr.write(`flipflop: ${failed.length} row(s) failed (${failed.join(', ')}); the others are stored in ${out}: fix the cause and continue with --resume\n`);
      return 1;
    }
    return 0;
  } finally {
    for (const s of signals) process.off(s, stopAll);
    lock.release();
  }
}

/** --row-worker ROW: one row of a --jobs run; stops when its parent (the run) is gone. */
async function rowWorker(opts: FlipflopCliOptions, row: string, backend: 'wasm' | 'cpu'): Promise<number> {
  if (opts.out === undefined) throw new CliError('--row-worker needs --out DIR');
  const L = await import('../../learning/index.js');
  await L.initBackend(backend);
  const parent = process.ppid;
  // A killed parent cannot kill us (SIGKILL): notice it between steps and stop; the row's
  // checkpoint (every --checkpoint-every steps) lets --resume continue it.
  const orphaned = () => {
    if (process.ppid !== parent) {
      process.stderr.write(`${row}: the run process is gone; stopping (continue with --resume)\n`);
      process.exit(143);
    }
  };
  let lastReport = 0;
  try {
    const r = await L.runFlipflopRow(
      {
        ...opts,
        onStep: (() => {
          const report = stepReporter();
          return (m: string, s: number, n: number, loss: number) => {
            orphaned();
            report(m, s, n, loss);
          };
        })(),
        onEvalBatch: (m, t, n, target) => {
          orphaned();
          const now = Date.now();
          if (now - lastReport > 10_000 || n >= target) {
            lastReport = now;
            console.error(`${m} ${t}: ${n}/${target} reads`);
          }
        },
      },
      row,
    );
    const i = r.info;
    const cpu = (x: number | undefined) => (x === undefined ? '' : `, ${x.toFixed(0)} s CPU`);
    const evalS = r.cells.reduce((a, c) => a + c.seconds, 0);
    console.error(`${row}: ${r.resumed ? 'read back' : 'done'}: train ${i.trainSeconds.toFixed(0)} s${cpu(i.trainCpuSeconds)}, eval ${evalS.toFixed(0)} s${cpu(i.evalCpuSeconds)}; stored in ${opts.out}`);
    return 0;
  } catch (e) {
    if (RUN_DIR_ERRORS.test((e as Error).message)) throw new CliError((e as Error).message);
    throw e;
  }
}

const TEST_BY_NAME: Record<string, number> = { 'in-distribution': 0, sparse: 1, dense: 2 };

/** --show DIR: find a glitch of one row on one test set and print the read and its heads' attention. */
async function show(p: ReturnType<typeof parse>): Promise<number> {
  const dir = str(p, 'show')!;
  const allowed = new Set(['show', 'row', 'test', 'max-reads', 'svg', 'json', 'backend', 'eval-batch', 'force']);
  for (const [k, v] of Object.entries(p.values)) if (v !== undefined && v !== false && !allowed.has(k)) throw new CliError(`--${k} does not apply to --show`);
  const row = str(p, 'row') ?? 'transformer';
  if (!/^[a-z]+(\+[a-z]+)?$/.test(row)) throw new CliError(`--row: expected a row name such as transformer or transformer+dropout, got "${row}"`);
  const testName = str(p, 'test') ?? 'sparse';
  if (!(testName in TEST_BY_NAME)) throw new CliError(`--test: one of in-distribution, sparse, dense, got "${testName}"`);
  const maxReads = int(p, 'max-reads', 1_000_000, 1, 1e9)!;
  const evalBatch = int(p, 'eval-batch', undefined, 1, 4096);
  const svg = str(p, 'svg');
  const backend = oneOf(p, 'backend', ['wasm', 'cpu'] as const, 'wasm');
  const fs = await import('node:fs');
  const path = await import('node:path');
  const rowDir = path.join(dir, row);
  if (!fs.existsSync(path.join(rowDir, 'checkpoint.tbck'))) throw new CliError(`--show: no ${row}/checkpoint.tbck in ${dir} (a run directory of testbeds flipflop --out)`);
  const L = await import('../../learning/index.js');
  await L.initBackend(backend);
  const trainer = await L.Trainer.load(rowDir).catch((e: Error) => {
    throw new CliError(`--show: ${e.message}`);
  });
  try {
    if (trainer.config.model.kind !== 'transformer') throw new CliError(`--show: row ${row} is a ${trainer.config.model.kind}: the inspector shows Transformer attention`);
    if (!trainer.config.ffl) throw new CliError(`--show: ${rowDir} was not trained on FFL`);
    const test = L.FLIPFLOP_TESTS[TEST_BY_NAME[testName]];
    const seed = trainer.config.seed;
    let lastReport = 0;
    const report = L.findGlitch(trainer.model, { pI: test.pI, test: test.name, length: trainer.config.length, seed, testIndex: TEST_BY_NAME[testName], maxReads, evalBatch: evalBatch ?? 256, onBatch: (n) => {
      const now = Date.now();
      if (now - lastReport > 2000) {
        lastReport = now;
        console.error(`searching ${test.name}: ${n} reads`);
      }
    } });
    if (svg !== undefined && report.glitch) {
      const { writeFileAtomic } = await import('../../io/atomic.js');
      writeFileAtomic(svg, L.glitchSvg(report.glitch), { force: flag(p, 'force') });
      console.error(`wrote ${svg}`);
    }
    if (flag(p, 'json')) console.log(JSON.stringify({ row, ...report }));
    else console.log(L.glitchText(report).trimEnd());
    return 0;
  } finally {
    trainer.dispose();
  }
}
