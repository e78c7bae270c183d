// The exactness check every shortcut test makes: 100% per position and a margin of (almost) the
// head's scale on the given batches, with the model disposed after.
import { expect } from 'vitest';
import { evaluateModel, type Batch, type CompiledShortcut } from '../../src/learning/index.js';
import { HEAD_SCALE } from '../../src/shortcuts/index.js';

export function expectExact(c: CompiledShortcut, batches: Batch[], { dispose = true } = {}) {
  try {
    const r = evaluateModel(c.model, batches);
    expect(r.accuracy).toBe(1);
    expect(r.margin).toBeGreaterThan(0.99 * HEAD_SCALE);
    return r;
  } finally {
    if (dispose) c.model.dispose();
  }
}
