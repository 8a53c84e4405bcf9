// The page's script, bundled from playground/main.ts each time the page asks for it: the
// playground is a development tool, so an edit shows on reload and there is no build step to forget.
// esbuild only strips the types; `npm run typecheck` checks them.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const entry = join(dirname(fileURLToPath(import.meta.url)), 'main.ts');

/** The bundled script; rejects with esbuild's messages when main.ts or an import does not compile. */
export async function bundlePageScript() {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'safari16', 'firefox115'],
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
