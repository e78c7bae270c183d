// The default --max-size bounds the enumeration's memory from the start: as many elements as fit
// in DEFAULT_MEMORY_BUDGET for the degree (T_8 still fits; a 200-state automaton gets ~8.8 M, not
// the 15 M / 3.9 GB at which it used to die).
import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_SIZE, DEFAULT_MEMORY_BUDGET, defaultMaxSize, enumerationBytes, FroidurePin, SemigroupSizeError } from '../../src/algebra/index.js';

describe('default max size', () => {
  it('is the most elements whose arrays fit in the budget', () => {
    expect(defaultMaxSize(8, 3)).toBe(DEFAULT_MAX_SIZE); // T_8: 16,777,216 elements fit
    const n = defaultMaxSize(200, 2);
    expect(n).toBeLessThan(10_000_000);
    expect(enumerationBytes(n, 200, 2)).toBeLessThanOrEqual(DEFAULT_MEMORY_BUDGET);
    expect(enumerationBytes(n + 1, 200, 2)).toBeGreaterThan(DEFAULT_MEMORY_BUDGET);
    // 200 states: 200 bytes of element, 16 of products, 12 of words, plus the hash table.
    expect(enumerationBytes(1 << 20, 200, 2) / (1 << 20)).toBeGreaterThan(228);
  });

  it('an enumeration takes it as its limit, and says so when it stops there', () => {
    const shift = Array.from({ length: 200 }, (_, q) => (q + 1) % 200);
    const collapse = Array.from({ length: 200 }, (_, q) => (q === 0 ? 1 : q));
    const fp = new FroidurePin([shift, collapse]);
    expect(fp.maxSize).toBe(defaultMaxSize(200, 2));
    // Its message, shown for a tiny budget.
    expect(() => new FroidurePin([shift, collapse], { maxSize: 50 }).finish()).toThrow(new SemigroupSizeError(50));
    expect(new SemigroupSizeError(9, ' (why)').message).toBe('semigroup has more than 9 elements (why); raise --max-size (option maxSize)');
  });
});
