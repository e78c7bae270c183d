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

const usage = `usage: testbeds bench NAME [options]   (testbeds bench NAME --help for its options)

Runs a benchmark (bench/NAME.ts, the \`benchmark\` package) and writes its results (JSON, a
markdown table, often an SVG plot) under bench-results/. Progress goes to stderr.

  testbeds bench                 list the benchmarks
  testbeds bench simulate        throughput and depth of every simulation method against T and |Q|,
                                 with the TypeScript loop and a memory copy as baselines`;

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
    await mod.run(rest);
    return 0;
  },
};
