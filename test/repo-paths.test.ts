// Issue 9: the repository names no folder of the machine it was made on, so a fresh clone
// anywhere finds its data and writes results that stay true elsewhere.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATA_DIR, REPO_ROOT, repoRelative } from '../bench/data';

const repo = resolve(__dirname, '..');
const dataDir = resolve(repo, process.env.SMAT_DATA ?? '../shared/data');

/** Tracked files plus new ones not ignored: what a commit would carry. */
function repoFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repo,
    maxBuffer: 64 << 20,
  });
  // Regular files only: a symlinked node_modules (not matched by `node_modules/`) is no content.
  return out
    .toString('utf8')
    .split('\0')
    .filter((f) => f && existsSync(join(repo, f)) && lstatSync(join(repo, f)).isFile());
}

describe('no machine-specific absolute paths', () => {
  it('no text file in the repository contains the absolute folder it sits in, or the data folder', () => {
    // This machine's own spellings: the folder holding the checkout and the real
    // path of the data (symlinks resolved), plus home folders, which are never portable.
    const needles = new Set([`${dirname(repo)}/`, `${dirname(realpathSync(repo))}/`]);
    if (existsSync(dataDir)) needles.add(`${dirname(realpathSync(dataDir))}/`);
    for (const n of [...needles]) if (n === '/' || n === '/tmp/') needles.delete(n);
    const home = /(^|[\s"'(`=])(\/home\/[a-z_][\w.-]*\/|\/Users\/[A-Za-z][\w.-]*\/|\/root\/)/;
    const hits: string[] = [];
    for (const f of repoFiles()) {
      const buf = readFileSync(join(repo, f));
      if (buf.subarray(0, 8000).includes(0)) continue; // binary: images, ONNX graphs
      const lines = buf.toString('utf8').split('\n');
      lines.forEach((line, k) => {
        if ([...needles].some((n) => line.includes(n)) || home.test(line))
          hits.push(`${f}:${k + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(hits, `absolute paths of this machine (needles ${[...needles].join(', ')})`).toEqual([]);
  });

  it('the benchmark finds its data from the repository, and stores paths relative to it', () => {
    expect(REPO_ROOT).toBe(repo);
    expect(DEFAULT_DATA_DIR).toBe(join(dataDir, 'ecssd-val'));
    expect(repoRelative(join(repo, '..', 'shared', 'data', 'ecssd-val'))).toBe('../shared/data/ecssd-val');
    expect(repoRelative(join(repo, 'bench'))).toBe('bench');
    const results = JSON.parse(readFileSync(join(repo, 'bench', 'results.json'), 'utf8'));
    expect(results.quality.dataset).toMatch(/\(\.\.\/shared\/data\/ecssd-val\)$/);
  });
});

describe('pointers into the Python package', () => {
  it('every `python3 -m smat_model…` module and `smat_model/….py` file the repository names exists', () => {
    // Messages and docs that send a user to a module that moved are worse than none.
    const missing: string[] = [];
    for (const f of repoFiles()) {
      if (!/\.(ts|tsx|mjs|md|json|py)$/.test(f) || f === 'package-lock.json') continue;
      const text = readFileSync(join(repo, f), 'utf8');
      for (const [, module] of text.matchAll(/-m (smat_model(?:\.\w+)+)/g)) {
        const path = module.replaceAll('.', '/');
        if (!existsSync(join(repo, `${path}.py`)) && !existsSync(join(repo, path, '__main__.py')))
          missing.push(`${f}: -m ${module}`);
      }
      for (const [path] of text.matchAll(/smat_model\/[\w/]+\.(?:py|mjs)/g)) {
        if (!existsSync(join(repo, path))) missing.push(`${f}: ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
