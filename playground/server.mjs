#!/usr/bin/env node
// Playground: serves the real dist/ui.html inside a page that plays the Figma sandbox's part,
// including streaming the runtime and model that dist/code.js carries. The page's script is
// playground/main.ts, bundled by esbuild when the page loads it (bundle-page-script.mjs).
//   npm run playground            -> http://127.0.0.1:5173/
//   node playground/server.mjs --port 0 --no-build
// It binds to 127.0.0.1 only. The UI is a data: URL iframe like in Figma (no WebGPU: not a secure
// context); ?host=srcdoc shows it as a sandboxed srcdoc instead, where WebGPU is exposed.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readAssetsPrelude } from '../tools/code-assets-prelude.mjs';
import { bundlePageScript } from './bundle-page-script.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
};

/** Folders holding example photos, first match wins. */
function exampleDirs() {
  const data = process.env.SMAT_DATA ? resolve(process.env.SMAT_DATA) : resolve(root, '../shared/data');
  return [join(root, 'examples'), join(data, 'examples')].filter((d) => existsSync(d));
}

export function ensureBuilt({ force = false } = {}) {
  const ui = join(root, 'dist/ui.html');
  if (!force && existsSync(ui) && existsSync(join(root, 'dist/code.js'))) return ui;
  const r = spawnSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed');
  return ui;
}

/**
 * The assets a built code.js carries (its first line, `var __SMAT_ASSETS__ = {...};`, see
 * build.mjs), re-read when the file changes. The playground page plays the sandbox and streams
 * them to the UI as the real code.js does.
 */
function assetReader(codePath) {
  let cache = { mtimeMs: -1, assets: {} };
  return () => {
    if (!existsSync(codePath)) return {};
    const { mtimeMs } = statSync(codePath);
    if (mtimeMs !== cache.mtimeMs) {
      cache = { mtimeMs, assets: readAssetsPrelude(readFileSync(codePath, 'utf8')) };
    }
    return cache.assets;
  };
}

/** Starts the server; resolves with {url, close}. port 0 picks a free port. */
export function startPlayground({
  port = 5173,
  host = '127.0.0.1',
  uiPath = join(root, 'dist/ui.html'),
  codePath,
} = {}) {
  const readAssets = assetReader(codePath ?? join(dirname(uiPath), 'code.js'));
  const files = {
    '/': join(here, 'index.html'),
    '/index.html': join(here, 'index.html'),
    '/playground.css': join(here, 'playground.css'),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let file = files[url.pathname];
    if (url.pathname === '/ui.html') file = uiPath;
    if (url.pathname.startsWith('/examples/')) {
      const name = basename(decodeURIComponent(url.pathname));
      file = exampleDirs()
        .map((d) => join(d, name))
        .find((f) => existsSync(f));
    }
    if (url.pathname === '/playground.js') {
      servePageScript(res);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (url.pathname.startsWith('/assets/')) {
      const asset = readAssets()[decodeURIComponent(url.pathname.slice('/assets/'.length))];
      res.writeHead(asset ? 200 : 404, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(asset ? JSON.stringify(asset) : '{}');
      return;
    }
    if (url.pathname === '/examples.json') {
      const names = [...new Set(exampleDirs().flatMap((d) => readdir(d)))].filter((n) => /\.(png|jpe?g)$/i.test(n));
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(names));
      return;
    }
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(url.pathname === '/ui.html' ? 'dist/ui.html is missing: run npm run build' : 'not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}/`;
      resolvePromise({ url, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

function servePageScript(res) {
  bundlePageScript().then(
    (js) => {
      res.writeHead(200, { 'content-type': TYPES['.js'], 'cache-control': 'no-store' });
      res.end(js);
    },
    (error) => {
      console.error(`playground: playground/main.ts does not bundle:\n${error.message}`);
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`playground/main.ts does not bundle:\n${error.message}`);
    },
  );
}

function readdir(d) {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values: options } = parseArgs({
    options: { port: { type: 'string' }, 'no-build': { type: 'boolean' }, rebuild: { type: 'boolean' } },
  });
  if (!options['no-build']) ensureBuilt({ force: options.rebuild });
  const { url } = await startPlayground({ port: Number(options.port ?? process.env.PORT ?? 5173) });
  console.log(`SMat playground: ${url}  (Ctrl+C to stop)`);
}
