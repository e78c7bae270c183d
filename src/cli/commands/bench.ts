/**
 * `testbeds bench NAME [args]`: runs the benchmark module dist/bench/NAME.js (compiled from
 * bench/NAME.ts), which exports `async function run(argv: string[]): Promise<void>`.
 * `testbeds bench` alone lists the benchmarks that are built.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CliError } from '../args.js';
import type { Command } from '../command.js';
import { subcommandUsage } from '../usage.js';

// dist/src/cli/commands/bench.js → dist/bench/
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench');

function available(): string[] {
  try {
    return readdirSync(benchDir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

const usage = `usage: testbeds bench TARGET [options]   (testbeds bench TARGET --help for one)

Runs a benchmark (bench/TARGET.ts with the \`benchmark\` package; every ratio comes from one run)
and writes its results; progress goes to stderr. \`testbeds bench\` alone lists the targets that
are built (a clone builds them with npm ci; the npm package does not ship them). Committed results,
with the commands that made them: bench/results/README.md.

  simulate        [--out DIR] [--force] [--quick | --full | --automata a,b --lengths 1e6,1e7] [--no-memory] [--from FILE]
                  throughput and depth of every simulation method against T and |Q|, with the
                  TypeScript loop and a memory copy as baselines (a few minutes); writes
                  DIR/simulate.{json,md,svg} (default DIR bench-results). --quick: a tiny grid
                  (seconds); --full: every |Q| over every T = 1e2 … 1e8 (long); --no-memory: skip
                  the T = 1e8 peak-memory run of the CLI; --from FILE: re-render the markdown and
                  SVG from a saved simulate.json; --force: replace results already in DIR (refused
                  otherwise, before the run)
  semigroup       [--out DIR] [--force] [--quick] [--no-gap] [--no-t8]
                  Froidure–Pin on T_7 (823,543 elements) against the TypeScript reference closure
                  and GAP (when \`gap\` is installed), then T_8 in a child process; writes
                  DIR/semigroup.{json,md}. --quick: T_5 only, no GAP, no T_8 (seconds); --force as above
  cp              [--out DIR] [--force] [--quick] [--max-time SECONDS] [--rounds N]
                  one CP-ALS sweep on n×n×n tensors (n = 20, 50, 100; R = 5, 10, 20): the WASM
                  kernel against the TypeScript reference and the same sweep in numpy (when python3
                  has numpy), in GFLOP/s; writes DIR/cp.{json,md}. --quick: 20³ only; --max-time:
                  seconds per measurement (default 1); --rounds: each cell keeps its fastest of N
                  (default 2); --force as above
  hmm             [--quick] [--n N] [--json]
                  sampling N triple counts (default 10^6, --quick 10^5): the joint sampler against
                  the chain sampler and a bare Rng loop; recovery from the exact triplet tensor for
                  k = 3, 5, 8. A markdown table on stdout, or one JSON object with --json
  train           [--quick] [--no-cpu] [--no-torch] [--no-memory] [--docs FILE] [--json]
                  tokens/s of one GPT training step: tfjs-wasm with our fused kernels, plain ops and
                  naive ops, tfjs-cpu, and PyTorch on CPU (bench/torch_peer.py, when python3 has
                  torch), in one run; then the memory of an L=8 d=128 T=100 model. --quick: fewer
                  timed steps; --no-cpu, --no-torch, --no-memory skip those rows; --docs FILE
                  rewrites the measured block between its markers (bench/results/train.md)
  attention       [--rounds N] [--quick] [--no-step] [--no-gelu] [--json]
                  the fused causal-attention kernels, blocked against the row-at-a-time kernels they
                  replaced (same bits), forward and backward at the two training-benchmark shapes,
                  then the whole training step with each, then GELU against the GELU it replaced,
                  interleaved in one run: ms, GFLOP/s and speedups, a markdown table on stdout (or
                  JSON with --json). --rounds: default 5; --quick: one short round; --no-step,
                  --no-gelu: skip those parts
  steps           [--out DIR] [--rows a,b] [--seeds 1,2,3] [--side both|ours|torch] [--same-init] [--backend wasm|cpu] [--quick] [--json]
                  steps to 99% held-out accuracy, ours against PyTorch (bench/steps_torch.py) on
                  the same batches, init family, AdamW, schedule and clipping; median over seeds
                  (3 by default) per row. Writes OUT/results.jsonl (appended; a re-run skips what is
                  there, so it is resumable) and OUT/table.md. --same-init: PyTorch starts from our
                  weights; --side: run one side only; --backend: our side on tfjs-wasm (default) or tfjs-cpu

Examples:
  testbeds bench simulate --quick
  testbeds bench train --quick --no-torch`;

export const command: Command = {
  summary: 'run a benchmark (simulate, semigroup, cp, hmm, train, attention, steps) and write JSON, a markdown table and a plot',
  usage,
  helpFor: (argv) => (argv[0] === undefined ? undefined : subcommandUsage(usage, 'testbeds bench', argv[0])),
  async run(argv) {
    const [name, ...rest] = argv;
    const names = available();
    if (name === undefined) {
      console.log(names.length ? `benchmarks: ${names.join(', ')}` : 'no benchmarks built (npm run build:ts)');
      return 0;
    }
    if (!/^[\w-]+$/.test(name) || !names.includes(name)) {
      throw new CliError(`unknown benchmark "${name}" (built: ${names.join(', ') || 'none'})`);
    }
    const mod = (await import(pathToFileURL(join(benchDir, `${name}.js`)).href)) as { run?: (argv: string[]) => Promise<void> };
    if (typeof mod.run !== 'function') throw new CliError(`benchmark "${name}" does not export run(argv)`);
    try {
      await mod.run(rest);
    } catch (e) {
      // A benchmark's own option parsing (node:util parseArgs) throws TypeErrors with a code:
      // that is bad input, so one line and exit 2, not a stack trace.
      if (e instanceof CliError) throw new CliError(`${name}: ${e.message}`);
      const code = (e as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) throw new CliError(`${name}: ${(e as Error).message.split('\n')[0]}`);
      throw e;
    }
    return 0;
  },
};
