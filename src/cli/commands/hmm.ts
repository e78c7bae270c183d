// Placeholder until its issue lands: the command exists in the registry but does nothing yet.
import { CliError } from '../args.js';
import type { Command } from '../command.js';

export const command: Command = {
  summary: '(not built yet)',
  usage: 'testbeds hmm: not built yet',
  async run() {
    throw new CliError('not built yet');
  },
};
