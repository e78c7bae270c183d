import { describe, expect, it } from 'vitest';
import { CliError, int, intList, num, parse } from '../src/cli/args.js';

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

describe('empty values, lists and option rules', () => {
  const opts = { seed: { type: 'string' as const }, depths: { type: 'string' as const }, quick: { type: 'boolean' as const }, full: { type: 'boolean' as const }, samples: { type: 'string' as const } };
  it('an empty or blank value is an error naming the option, in either spelling', () => {
    for (const argv of [['--seed', ''], ['--seed='], ['--seed', '  '], ['--depths', '\t']]) {
      expect(() => parse(argv, opts)).toThrow(/^--(seed|depths): empty value/);
    }
  });
  it('numbers are decimal literals only: no hex, no Infinity, no blank', () => {
    const p = (v: string) => parse(['--seed', v], opts);
    expect(int(p('1e3'), 'seed', 0)).toBe(1000);
    expect(int(p('10_000'), 'seed', 0)).toBe(10000);
    for (const bad of ['0x10', '1e400', 'Infinity', '1.5', '0b1', '1 2']) expect(() => int(p(bad), 'seed', 0)).toThrow(/--seed: expected an integer/);
    expect(num(p('.5'), 'seed', 0)).toBe(0.5);
    for (const bad of ['0x10', 'Infinity', 'NaN', '1e400']) expect(() => num(p(bad), 'seed', 0)).toThrow(/--seed: expected a number/);
  });
  it('intList refuses empty items and out-of-range ones, naming the list', () => {
    expect(intList(parse(['--depths', '1, 2,4'], opts), 'depths', 1)).toEqual([1, 2, 4]);
    expect(() => intList(parse(['--depths', '1,,2'], opts), 'depths', 1)).toThrow(/--depths: item 2 of "1,,2" is empty/);
    expect(() => intList(parse(['--depths', '1,0'], opts), 'depths', 1)).toThrow(/--depths: expected integers in \[1, Infinity\], got "0"/);
    expect(intList(parse([], opts), 'depths', 1)).toBeUndefined();
  });
  it('exclusive groups and requirements are checked by the parser', () => {
    const rules = { exclusive: [['quick', 'full']], requires: { seed: { anyOf: ['samples'], why: 'it seeds the sampling' } } };
    expect(() => parse(['--quick', '--full'], opts, true, rules)).toThrow(/--quick and --full cannot be given together/);
    expect(() => parse(['--seed', '3'], opts, true, rules)).toThrow(/--seed needs --samples \(it seeds the sampling\)/);
    expect(parse(['--seed', '3', '--samples', '10', '--quick'], opts, true, rules).values.seed).toBe('3');
  });
  it('an unknown option lists the options the command takes', () => {
    expect(() => parse(['--sed', '1'], opts)).toThrow(/Unknown option '--sed' \(this command takes --seed, --depths/);
  });
});
