/**
 * `testbeds COMMAND ...`: dispatch to one module per command (src/cli/commands/<name>.ts).
 * Results go to stdout (JSON with --json), progress and logs to stderr; bad input is one line
 * on stderr and exit code 2.
 */
import { readFileSync } from 'node:fs';
import { CliError } from './args.js';
import type { Command } from './command.js';

const commands: Record<string, () => Promise<{ command: Command }>> = {
  tour: () => import('./commands/tour.js'),
  zoo: () => import('./commands/zoo.js'),
  simulate: () => import('./commands/simulate.js'),
  algebra: () => import('./commands/algebra.js'),
  hmm: () => import('./commands/hmm.js'),
  train: () => import('./commands/train.js'),
  eval: () => import('./commands/eval.js'),
  compile: () => import('./commands/compile.js'),
  sweep: () => import('./commands/sweep.js'),
  worker: () => import('./commands/worker.js'),
  bench: () => import('./commands/bench.js'),
  nce: () => import('./commands/nce.js'),
  flipflop: () => import('./commands/flipflop.js'),
  dyck: () => import('./commands/dyck.js'),
};

async function help(): Promise<string> {
  const lines = ['usage: testbeds COMMAND [options]   (testbeds help COMMAND, or testbeds COMMAND --help, for details)', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  lines.push('', 'testbeds --version (-v) prints the version. Manuals: README.md and docs/<capability>.md in the package.');
  return lines.join('\n');
}

/** The package's version, from its package.json (../../../ from dist/src/cli/, ../../ from src/cli/). */
function version(): string {
  for (const up of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'testbeds' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  throw new CliError('cannot find the package.json of testbeds');
}

async function load(name: string): Promise<Command> {
  const get = commands[name];
  if (!get) throw new CliError(`unknown command "${name}" (one of: ${Object.keys(commands).join(', ')})`);
  return (await get()).command;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === 'help' && rest.length > 0) {
      // `testbeds help simulate`, `testbeds help hmm recover`: the same text as `--help` there.
      const command = await load(rest[0]!);
      console.log(command.helpFor?.(rest.slice(1)) ?? command.usage);
      return 0;
    }
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(await help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version' || name === '-v') {
      console.log(`testbeds ${version()}`);
      return 0;
    }
    const command = await load(name);
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.helpFor?.(rest.filter((a) => a !== '--help' && a !== '-h')) ?? command.usage);
      return 0;
    }
    return await command.run(rest);
  } catch (e) {
    if (e instanceof CliError || (e instanceof Error && e.name.endsWith('Error') && !(e instanceof TypeError) && !process.env.TESTBEDS_DEBUG)) {
      console.error(`testbeds${name ? ' ' + name : ''}: ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}
