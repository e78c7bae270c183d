import { describe, expect, it } from 'vitest';
import { CliError, int, num, parse } from '../src/cli/args.js';

const options = { seed: { type: 'string' as const, short: 's' }, p: { type: 'string' as const }, json: { type: 'boolean' as const } };

describe('CLI option parsing', () => {
  it('takes a negative number as the value of a string option, so the range check names it', () => {
    const p = parse(['--seed', '-1', '--p', '-0.5', '--json'], options);
    expect(p.values.seed).toBe('-1');
    expect(p.values.p).toBe('-0.5');
    expect(p.values.json).toBe(true);
    expect(() => int(p, 'seed', 0, 0)).toThrow(/--seed: expected an integer in \[0, Infinity\], got "-1"/);
    expect(num(p, 'p', 0)).toBe(-0.5);
    expect(parse(['-s', '-3'], options).values.seed).toBe('-3');
  });
  it('still rejects unknown options and missing values with a CliError', () => {
    expect(() => parse(['--nope'], options)).toThrow(CliError);
    expect(() => parse(['--seed'], options)).toThrow(CliError);
  });
});
