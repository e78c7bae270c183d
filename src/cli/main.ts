/**
 * `testbeds COMMAND ...`: dispatch to one module per command (src/cli/commands/<name>.ts).
 * Results go to stdout (JSON with --json), progress and logs to stderr; bad input is one line
 * on stderr and exit code 2.
 */
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
};

async function help(): Promise<string> {
  const lines = ['usage: testbeds COMMAND [options]   (testbeds COMMAND --help for details)', '', 'commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const { command } = await load();
    lines.push(`  ${name.padEnd(10)} ${command.summary}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      console.log(await help());
      return name === undefined ? 2 : 0;
    }
    if (name === '--version') {
      console.log('testbeds 0.1.0');
      return 0;
    }
    const load = commands[name];
    if (!load) throw new CliError(`unknown command "${name}" (one of: ${Object.keys(commands).join(', ')})`);
    const { command } = await load();
    if (rest.includes('--help') || rest.includes('-h')) {
      console.log(command.usage);
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
