/**
 * `testbeds dyck`: many solutions, one balance condition (Wen, Li, Liu, Risteski 2023). Trains
 * two-layer Transformers on bounded-Dyck next-token prediction for several seeds and restricted
 * variants; reports accuracy at n, 2n, 4n, the first layer's balance violation and each layer's
 * distance from the stack-like attention pattern, and how the balance violation predicts length
 * generalisation across the models.
 */
import { CliError, flag, int, intList, num, parse, str } from '../args.js';
import type { Command } from '../command.js';

const FILES = ['dyck.json', 'dyck.md', 'dyck.csv', 'dyck.svg'];

const usage = `usage: testbeds dyck [--preset quick] [--seeds 1,2,3] [--variants standard,minimal,...]
                    [--K K] [--M M] [--length N] [--steps N] [--width D] [--lr X]
                    [--backend wasm|cpu] [--out DIR [--force]] [--json]

Trains two-layer Transformers (sinusoidal positions) on next-token prediction over well-nested
prefixes of Dyck_{K,M} (K bracket types, depth ≤ M), scored on the forced closing bracket, for each
seed and variant, and reports per model: accuracy at the training length n and at 2n and 4n (Wilson
95%), the first layer's balance violation (0 = balanced, 1 = not at all; docs/dyck.md), and each
layer's distance from the stack-like pattern (1 − attention on the top-of-stack bracket, for the
most stack-like head and the head mean); then the Spearman correlation of the balance violation
with accuracy at 2n and 4n across all models.

options:
  --preset P        quick (Dyck_{2,4}, n = 32, width 32, 2000 steps, seeds 1-4, all variants; default)
  --seeds LIST      seeds of weights and training data (default the preset's)
  --variants LIST   of standard (MLP in both layers), minimal (first layer attention only),
                    minimal-1head (and one head), minimal-noln (and no LayerNorm)
  --K K             bracket types, 1..8          --M M   maximum depth, 1..8
  --length N        training length n, even, 2..1024 (evaluated at n, 2n, 4n)
  --steps N, --width D, --lr X, --batch B
                    training length, model width, AdamW learning rate, batch
  --eval-sequences N  held-out sequences per evaluation length (default 512)
  --probe-sequences N sequences the attention metrics average over (default 64)
  --backend NAME    wasm (default) | cpu
  --out DIR         write DIR/${FILES.join(', ')}; trained runs and finished models are kept in
                    DIR/runs and DIR/cells, so a killed run resumes (one writer: DIR/run.lock);
                    refuses to replace results without --force
  --json            the result as JSON on stdout (default: the Markdown table)

example:
  npx testbeds dyck --seeds 1 --variants minimal --steps 200 --length 16`;

export const command: Command = {
  summary: 'bounded Dyck: seeds and restricted variants, balance violation, attention vs. the stack pattern, length generalisation',
  usage,
  async run(argv) {
    const p = parse(
      argv,
      {
        preset: { type: 'string' },
        seeds: { type: 'string' },
        variants: { type: 'string' },
        K: { type: 'string' },
        M: { type: 'string' },
        length: { type: 'string' },
        steps: { type: 'string' },
        width: { type: 'string' },
        lr: { type: 'string' },
        batch: { type: 'string' },
        'eval-sequences': { type: 'string' },
        'probe-sequences': { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      false,
    );
    const preset = str(p, 'preset') ?? 'quick';
    if (preset !== 'quick') throw new CliError(`--preset: expected quick, got "${preset}"`);
    const variantsText = str(p, 'variants');
    const variants = variantsText === undefined ? undefined : variantsText.split(',').map((s) => s.trim());
    if (variants?.some((v) => v === '')) throw new CliError(`--variants: expected a comma-separated list, got "${variantsText}"`);
    const backendText = str(p, 'backend') ?? 'wasm';
    if (backendText !== 'wasm' && backendText !== 'cpu') throw new CliError(`--backend: expected wasm or cpu, got "${backendText}"`);
    const length = int(p, 'length', undefined, 2, 1024);
    if (length !== undefined && length % 2 !== 0) throw new CliError(`--length: must be even (evaluation at 2n and 4n; brackets pair), got ${length}`);
    const opts = {
      preset: 'quick' as const,
      seeds: intList(p, 'seeds', 0, 2 ** 32 - 1),
      variants,
      K: int(p, 'K', undefined, 1, 8),
      M: int(p, 'M', undefined, 1, 8),
      length,
      steps: int(p, 'steps', undefined, 1, 1e7),
      width: int(p, 'width', undefined, 2, 1024),
      lr: num(p, 'lr', undefined, Number.MIN_VALUE, 1),
      batch: int(p, 'batch', undefined, 1, 4096),
      evalSequences: int(p, 'eval-sequences', undefined, 1, 1e6),
      probeSequences: int(p, 'probe-sequences', undefined, 1, 1e5),
    };
    const L = await import('../../learning/index.js');
    try {
      L.dyckPlan(opts);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    const outDir = str(p, 'out');
    const force = flag(p, 'force');
    const { checkFilesWritable, writeFilesAtomic } = await import('../../io/atomic.js');
    let lock: { release(): void } | undefined;
    if (outDir !== undefined) {
      // Refuse existing results before minutes of training, not after; then one writer.
      checkFilesWritable(outDir, FILES, { force });
      const { RunLock } = await import('../../io/lock.js');
      lock = RunLock.acquire(outDir, 'dyck output directory');
    }
    try {
      await L.initBackend(backendText);
      const r = await L.runDyck({
        ...opts,
        out: outDir,
        onStep: (cell, s, n, loss) => {
          if (s % 250 === 0 || s === n) console.error(`${cell}: step ${s}/${n}, loss ${loss.toFixed(4)}`);
        },
        onCell: (c, cached) => console.error(`${c.variant} seed ${c.seed}${cached ? ' (cached)' : ''}: accuracy ${c.accuracy.map((a) => `${(100 * a.acc.rate).toFixed(2)}% @${a.length}`).join(', ')}; balance ${c.balance.toFixed(3)}`),
      });
      const md = L.dyckMarkdown(r);
      if (outDir !== undefined) {
        const written = writeFilesAtomic(outDir, { [FILES[0]]: JSON.stringify(r, null, 1) + '\n', [FILES[1]]: md, [FILES[2]]: L.dyckCsv(r), [FILES[3]]: L.dyckSvg(r) }, { force });
        console.error(`wrote ${written.join(', ')}`);
      }
      if (flag(p, 'json')) console.log(JSON.stringify(r));
      else process.stdout.write(md);
    } finally {
      lock?.release();
    }
    return 0;
  },
};
