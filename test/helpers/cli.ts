// Runs the CLI in-process (`main(argv)`) and captures what it prints: stdout from console.log,
// stderr from console.error and, with `stderrWrites`, from process.stderr.write (progress lines).
import { vi } from 'vitest';
import { main } from '../../src/cli/main.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function cli(argv: string[], { stderrWrites = false } = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const write = stderrWrites ? vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s).trimEnd()), true)) : null;
  try {
    const code = await main(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write?.mockRestore();
  }
}
