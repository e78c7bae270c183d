/**
 * Progress on stderr for long training runs: a one-line bar redrawn in place when stderr is a
 * TTY, plain lines (at most one every few seconds, plus every evaluation) otherwise.
 */
import type { EvalResult, StepInfo } from './train.js';

export interface Progress {
  step(s: StepInfo): void;
  eval(step: number, e: EvalResult): void;
  done(): void;
}

export function stderrProgress(label: string, quiet = false): Progress {
  const tty = !!process.stderr.isTTY;
  let lastLine = 0;
  let lastEval: EvalResult | undefined;
  const fmt = (s: StepInfo) => {
    const frac = s.step / s.steps;
    const width = 24;
    const bar = '█'.repeat(Math.round(frac * width)).padEnd(width, '·');
    const acc = lastEval ? ` eval ${(100 * lastEval.accuracy).toFixed(1)}%` : '';
    return `${label} ${bar} ${s.step}/${s.steps} loss ${s.loss.toFixed(4)} acc ${(100 * s.accuracy).toFixed(1)}%${acc} ${Math.round(s.tokensPerSecond)} tok/s`;
  };
  let last: StepInfo | undefined;
  return {
    step(s) {
      last = s;
      if (quiet) return;
      if (tty) process.stderr.write(`\r${fmt(s)}\x1b[K`);
      else if (Date.now() - lastLine > 5000) {
        lastLine = Date.now();
        process.stderr.write(fmt(s) + '\n');
      }
    },
    eval(step, e) {
      lastEval = e;
      if (quiet) return;
      const line = `${label} step ${step}: eval accuracy ${(100 * e.accuracy).toFixed(2)}% (last ${(100 * e.accuracyLast).toFixed(2)}%, sequence ${(100 * e.accuracySequence).toFixed(2)}%) loss ${e.loss.toFixed(4)}`;
      process.stderr.write(tty ? `\r${line}\x1b[K\n${last ? fmt(last) : ''}` : line + '\n');
    },
    done() {
      if (tty && !quiet) process.stderr.write('\n');
    },
  };
}
