/**
 * `testbeds flipflop`: attention glitches on flip-flop language modelling (Liu, Ash, Goel,
 * Krishnamurthy, Zhang 2023). Trains each model on FFL(0.8) and counts wrong reads on the
 * paper's three test sets, with Wilson 95% intervals.
 */
import { CliError, flag, int, num, oneOf, parse, str } from '../args.js';
import type { Command } from '../command.js';

const FILES = ['flipflop.json', 'flipflop.md', 'flipflop.csv'];

const usage = `usage: testbeds flipflop [--preset quick|paper] [--models transformer,lstm] [--reads N]
                        [--steps N] [--length T] [--tests 0.8,0.98,0.1] [--seed S]
                        [--backend wasm|cpu] [--out DIR [--force]] [--json]

Trains each model on FFL(p_i = 0.8) (tokens w r i 0 1; the loss on the bits after r) and evaluates
it on fresh sequences of the paper's three test sets: in distribution (p_i = 0.8), sparse tail
(p_i = 0.98: long gaps between write and read) and dense tail (p_i = 0.1). A glitch is a read
answered wrongly. Per model and test set it reports the error per read and the fraction of
sequences with at least one glitch, each with a Wilson score 95% interval, and the evaluation
throughput (reads/s). Evaluation is streamed batch by batch until --reads reads are scored.

options:
  --preset P        quick (T = 64, 2-layer width-32 Transformer, width-32 LSTM, 2000 steps, 10^5
                    reads per cell; default) | paper (T = 512, 6×512×8 Transformer, 128-wide LSTM,
                    10^4 steps, 10^6 reads per cell: hours to days on this CPU)
  --models LIST     of transformer, lstm, gru, rnn (default transformer,lstm)
  --reads N         reads to evaluate per model and test set, at least (overrides the preset)
  --steps N         training steps per model (overrides the preset)
  --layers N, --width D, --heads H, --lr X
                    model size and AdamW learning rate (override the preset; heads: Transformer)
  --length T        sequence length in tokens, even ≥ 4 (overrides the preset)
  --train-p P       training p_i (default 0.8)
  --tests LIST      test p_i values, each in [0, 1) (default 0.8,0.98,0.1)
  --eval-batch B    sequences per evaluation batch (default by preset)
  --seed S          seed of weights, training data and test sets (default 1)
  --backend NAME    wasm (default) | cpu
  --out DIR         write DIR/${FILES.join(', ')} (refuses to replace them without --force)
  --json            the result as JSON on stdout (default: the Markdown table)

example:
  npx testbeds flipflop --preset quick --models transformer,lstm --out runs/ff`;

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
        reads: { type: 'string' },
        steps: { type: 'string' },
        length: { type: 'string' },
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
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    const preset = oneOf(p, 'preset', ['quick', 'paper'] as const, 'quick');
    const kinds = ['transformer', 'lstm', 'gru', 'rnn'] as const;
    const models = (list(str(p, 'models'), 'models') ?? ['transformer', 'lstm']).map((m) => {
      if (!(kinds as readonly string[]).includes(m)) throw new CliError(`--models: unknown model "${m}" (one of: ${kinds.join(', ')})`);
      return m as (typeof kinds)[number];
    });
    const reads = int(p, 'reads', undefined, 1, 1e9);
    const steps = int(p, 'steps', undefined, 1, 1e7);
    const length = int(p, 'length', undefined, 4, 1 << 16);
    if (length !== undefined && length % 2 !== 0) throw new CliError(`--length: FFL sequences are instruction–bit pairs, so T must be even, got ${length}`);
    const trainText = str(p, 'train-p');
    const trainPI = trainText === undefined ? undefined : pI(trainText, 'train-p');
    const tests = list(str(p, 'tests'), 'tests')?.map((s) => ({ name: TEST_NAMES[String(pI(s, 'tests'))] ?? `p_i=${s}`, pI: pI(s, 'tests') }));
    const evalBatch = int(p, 'eval-batch', undefined, 1, 4096);
    const seed = int(p, 'seed', 1, 0, 2 ** 32 - 1)!;
    const backend = oneOf(p, 'backend', ['wasm', 'cpu'] as const, 'wasm');
    const force = flag(p, 'force');
    const outDir = str(p, 'out');
    const L = await import('../../learning/index.js');
    const { checkFilesWritable, writeFilesAtomic } = await import('../../io/atomic.js');
    const layers = int(p, 'layers', undefined, 1, 64);
    const width = int(p, 'width', undefined, 1, 4096);
    const heads = int(p, 'heads', undefined, 1, 64);
    const lr = num(p, 'lr', undefined, Number.MIN_VALUE, 1);
    const opts = { preset, models, reads, steps, length, layers, width, heads, lr, trainPI, tests, evalBatch, seed };
    try {
      L.flipflopPlan(opts);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    // Refuse existing results before hours of training, not after.
    if (outDir !== undefined) checkFilesWritable(outDir, FILES, { force });
    await L.initBackend(backend);
    let lastReport = 0;
    const r = await L.runFlipflop({
      ...opts,
      onStep: (m, s, n, loss) => {
        if (s % 100 === 0 || s === n) console.error(`${m}: step ${s}/${n}, loss ${loss.toFixed(4)}`);
      },
      onEvalBatch: (m, t, n, target) => {
        const now = Date.now();
        if (now - lastReport > 2000 || n >= target) {
          lastReport = now;
          console.error(`${m} ${t}: ${n}/${target} reads`);
        }
      },
    });
    const md = L.flipflopMarkdown(r);
    if (outDir !== undefined) {
      const written = writeFilesAtomic(outDir, { [FILES[0]]: JSON.stringify(r, null, 1) + '\n', [FILES[1]]: md, [FILES[2]]: L.flipflopCsv(r) }, { force });
      console.error(`wrote ${written.join(', ')}`);
    }
    if (flag(p, 'json')) console.log(JSON.stringify(r));
    else process.stdout.write(md);
    return 0;
  },
};
