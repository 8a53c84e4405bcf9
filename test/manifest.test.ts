// manifest.json against the sandbox: the Refine relaunch button (also for several results at once,
// which the session handles as one batch) and the documented placeholder id.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runRequestForCommand } from '../src/session/run-request-for-command';
import { REFINE_COMMAND } from '../src/write-back/result-markers';

const read = (path: string) => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');
const manifest = JSON.parse(read('manifest.json')) as {
  id: string;
  menu: Array<{ command: string }>;
  relaunchButtons: Array<{ command: string; name: string; multipleSelection?: boolean }>;
};

describe('manifest.json', () => {
  it('Refine is a relaunch button shown for several selected results too', () => {
    const refine = manifest.relaunchButtons.find((b) => b.command === REFINE_COMMAND);
    expect(refine).toMatchObject({ name: 'Refine', multipleSelection: true });
    expect(runRequestForCommand(REFINE_COMMAND)).toEqual({ mode: 'refine' });
  });

  it('every menu command starts a run', () => {
    for (const { command } of manifest.menu) expect(runRequestForCommand(command)).not.toBeNull();
  });

  it('a placeholder id is documented in the README with how to set the real one before publishing', () => {
    if (!/^0+$/.test(manifest.id)) return; // a real id: nothing to document
    const readme = read('README.md');
    const at = readme.search(/^#+ .*publish/im);
    expect(at).toBeGreaterThanOrEqual(0);
    const section = readme.slice(at);
    expect(section).toContain(manifest.id);
    expect(section).toMatch(/`manifest\.json`'s `"id"`/);
    expect(section).toMatch(/plugin data/);
  });
});
