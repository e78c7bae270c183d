/** What every CLI command module exports. */
export interface Command {
  /** One line for `testbeds --help`. */
  readonly summary: string;
  /** Full usage text for `testbeds CMD --help`. */
  readonly usage: string;
  /** Usage of the subcommand or target named first in `argv` (`testbeds hmm recover --help`), if it has one. */
  helpFor?(argv: string[]): string | undefined;
  /** Runs with the arguments after the command name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
