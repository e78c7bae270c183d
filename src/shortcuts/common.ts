/** What every construction shares: its size report, its error, its limits. */

/** A construction that does not apply, or is too large: the message names the automaton, the size or factor and the limit. */
export class ShortcutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShortcutError';
  }
}

/** Sizes of a compiled model (what `testbeds compile --json` prints beside the margin). */
export interface Plan {
  layers: number;
  width: number;
  heads: number;
  mlpWidth: number;
  parameters: number;
  /** Longest sequence the construction is exact on (its position table's length). */
  maxLength: number;
}

/** Logit of the correct class minus any other in an exact compiled model (the head's scale). */
export const HEAD_SCALE = 10;

/**
 * Largest model compiled: 50M parameters = 200 MB of float32 weights, 600 MB as a checkpoint with
 * its (zero) optimizer moments; the builder's unit lists take about as much again, within 2 GB.
 */
export const MAX_PARAMETERS = 50_000_000;
