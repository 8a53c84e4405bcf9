import { describe, expect, it } from 'vitest';
import { flag, flagInt, flagList, flagNumber, parseArgs, UsageError } from '../cli/args';

const spec = {
  runs: { value: true },
  budget: { value: true },
  methods: { value: true },
  all: { value: false },
  help: { value: false, alias: 'h' },
};

describe('parseArgs (CLI, bench and tools)', () => {
  it('reads values, switches, aliases and positionals', () => {
    const args = parseArgs(
      ['a.js', '--runs', '3', '--budget=2.5', '--methods', 'ours,isnet', '--all', '-h', 'b.js'],
      spec,
    );
    expect(args.positional).toEqual(['a.js', 'b.js']);
    expect(flagInt(args, 'runs', 1)).toBe(3);
    expect(flagNumber(args, 'budget')).toBe(2.5);
    expect(flagList(args, 'methods')).toEqual(['ours', 'isnet']);
    expect([...args.switches].sort()).toEqual(['all', 'help']);
    expect(flag(args, 'missing')).toBeUndefined();
  });

  it('refuses unknown options, missing values and bad numbers with a UsageError', () => {
    expect(() => parseArgs(['--bogus'], spec)).toThrow(UsageError);
    expect(() => parseArgs(['--runs'], spec)).toThrow(/--runs needs a value/);
    expect(() => flagNumber(parseArgs(['--budget', 'soon'], spec), 'budget')).toThrow(/--budget must be a number >= 0/);
    expect(() => flagNumber(parseArgs(['--budget=-1'], spec), 'budget')).toThrow(UsageError);
    expect(() => flagInt(parseArgs(['--runs', '0'], spec), 'runs', 1)).toThrow(/integer >= 1/);
  });
});
