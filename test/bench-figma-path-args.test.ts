import { describe, expect, it } from 'vitest';
import { UsageError } from '../cli/args';
import { parseFigmaBenchArgs } from '../bench/figma-path-args';

const parse = (argv: string[]) => parseFigmaBenchArgs(argv, () => '');

describe('npm run bench:figma options', () => {
  it('defaults to 3 sessions on dist/, writing bench/figma-path.json and the docs', () => {
    expect(parse([])).toEqual({
      runs: 3,
      dist: null,
      json: 'bench/figma-path.json',
      noDocs: false,
      skipPeers: false,
    });
  });

  it('takes --runs N, another build, another JSON file, and leaves the docs alone when asked', () => {
    const a = parse(['--runs', '1', '--dist', '/tmp/b', '--json', '/tmp/b.json', '--no-docs', '--skip-peers']);
    expect(a).toEqual({ runs: 1, dist: '/tmp/b', json: '/tmp/b.json', noDocs: true, skipPeers: true });
  });

  it('refuses a run count below 1 and unknown options', () => {
    expect(() => parse(['--runs', '0'])).toThrow(UsageError);
    expect(() => parse(['--fast'])).toThrow(UsageError);
  });
});
