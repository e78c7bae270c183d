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

// dist/src/cli/commands/bench.js → dist/bench/
const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bench');

function available(): string[] {
  try {
    return readdirSync(benchDir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
  } catch {
    return [];
  }
}

const usage = `usage: testbeds bench NAME [options]

Runs a benchmark (bench/NAME.ts, the \`benchmark\` package, ratios measured in one run) and writes
its results (JSON, a markdown table, often an SVG plot). Progress goes to stderr.

  testbeds bench                 list the benchmarks that are built
  testbeds bench simulate        throughput and depth of every simulation method against T and |Q|,
                                 with the TypeScript loop and a memory copy as baselines (a few minutes)
      --out DIR                  where to write simulate.{json,md,svg} (default bench-results)
      --full                     every |Q| over every T = 1e2 … 1e8 (long)
      --quick                    a tiny grid (seconds; used by the tests)
      --automata a,b --lengths 1e6,1e7   a custom grid
      --no-memory                skip the T = 1e8 peak-memory run of the CLI
      --from FILE                re-render simulate.md and simulate.svg from a saved simulate.json
      --force                    replace results already in --out (refused otherwise, before the run)
  testbeds bench semigroup       Froidure–Pin on T_7 (823,543 elements) against the TypeScript reference
                                 closure and GAP (when \`gap\` is installed), then T_8 in a child process
      --out DIR                  where to write semigroup.{json,md} (default bench-results)
      --quick                    T_5 only, no GAP, no T_8 (seconds; used by the tests)
      --no-gap --no-t8           skip GAP, skip T_8
      --force                    replace results already in --out
  testbeds bench cp | hmm        the CP-decomposition and HMM benchmarks (see the README)
  testbeds bench steps           steps to 99% held-out accuracy, ours vs PyTorch on the same batches,
                                 init family, AdamW and schedule (3 seeds per row; resumable)
      --out DIR --rows a,b --seeds 1,2,3 --side both|ours|torch --same-init --backend wasm|cpu --quick`;

export const command: Command = {
  summary: 'run a benchmark (simulate, ...) and write JSON, a markdown table and a plot',
  usage,
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
