#!/usr/bin/env node
// Builds the plugin:
//   dist/code.js  - the Figma sandbox (src/main.ts), one IIFE for the plugin main thread, preceded
//                   by one line `var __SMAT_ASSETS__ = {...}` that carries the heavy binaries (the
//                   onnxruntime-web WASM builds and the ONNX models) as gzip + base64 strings. The
//                   sandbox streams them to the UI over figma.ui.postMessage (src/assets/).
//   dist/ui.html  - the UI iframe: the preact bundle with onnxruntime-web's JS, and nothing else.
//                   Figma shows it as a `data:` URL, which Chromium refuses over ~2 MB, so the
//                   build fails when it grows past UI_HTML_LIMIT.
// The plugin never fetches anything at run time (manifest: networkAccess none) and stores nothing.
//
// Usage: node build.mjs [--no-sandbox] [--models DIR] [--out DIR] [--runtimes LIST] [--quiet]
//   --runtimes: which onnxruntime binaries code.js carries, comma-separated: ort-wasm (default),
//   ort-wasm-webgpu. `--runtimes ort-wasm,ort-wasm-webgpu` for a host whose UI iframe is a secure
//   context with WebGPU (the playground's ?host=srcdoc).
//   SMAT_MODELS_DIR / --models: where model.json and the graphs it names (smat-encoder.onnx.pack,
//   smat-saliency.onnx.pack, smat-prompted.onnx, smat-decoder.onnx.pack, smat-refiner.onnx.pack) live (default
//   models/). Without models the build still succeeds, loudly: the UI then says that
//   the model failed to load.
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';
import { withAssetsPrelude } from './tools/code-assets-prelude.mjs';
import { readVerifiedModelFiles } from './tools/verify-model-files.mjs';

/** core/model-config.ts's GRAPH_ROLES (this file is plain JS): each is a model.json key and an asset name. */
const GRAPH_ROLES = ['encoder', 'decoder', 'refiner', 'saliency', 'prompted'];

const root = dirname(fileURLToPath(import.meta.url));
const { values: options } = parseArgs({
  options: {
    quiet: { type: 'boolean' },
    out: { type: 'string' },
    models: { type: 'string' },
    runtimes: { type: 'string' },
    'no-sandbox': { type: 'boolean' },
  },
});
const quiet = options.quiet;
const log = (...m) => {
  if (!quiet) console.log(...m);
};
const distDir = resolve(root, options.out ?? 'dist');
const modelsDir = resolve(root, options.models ?? process.env.SMAT_MODELS_DIR ?? 'models');
mkdirSync(distDir, { recursive: true });

// Two onnxruntime-web binaries; the UI asks for the one its backend needs (ui/web-runner-factory.ts):
// the WASM-only build, and the asyncify one behind `onnxruntime-web/webgpu` that carries both the
// WebGPU and the WASM execution providers. Only a secure context has WebGPU and a `data:` URL
// iframe - how Figma hosts the UI - is not one, so by default code.js carries the WASM-only
// binary: the WebGPU one would add 8.4 MiB of base64 that the sandbox parses on every command
// (measured: tools/measure-sandbox-load.ts, README) and that such a page can never use.
const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/webgpu'));
const RUNTIMES = {
  'ort-wasm': join(ortDist, 'ort-wasm-simd-threaded.wasm'),
  'ort-wasm-webgpu': join(ortDist, 'ort-wasm-simd-threaded.asyncify.wasm'),
};

/** Chromium refuses `data:` URLs over ~2 MB; keep a margin (a 1.4 MB one was seen to load). */
const UI_HTML_LIMIT = 1_500_000;

const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;

async function buildSandbox(assets) {
  const entry = join(root, 'src/main.ts');
  if (!existsSync(entry)) {
    console.warn('build: src/main.ts not found, dist/code.js not built');
    return;
  }
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    // Figma's sandbox is a restricted JS VM: keep the syntax conservative.
    target: 'es2017',
    write: false,
    logLevel: quiet ? 'error' : 'warning',
    legalComments: 'none',
  });
  // The assets go in front as plain string literals, untouched by esbuild: parsing a string literal
  // is the cheapest way to carry bytes into the VM (see README, "How the model reaches the UI").
  const code = withAssetsPrelude(assets, result.outputFiles[0].text);
  writeFileSync(join(distDir, 'code.js'), code);
  const size = Buffer.byteLength(code);
  console.log(`dist/code.js   ${mib(size)} (${size} bytes, runtime and model inside)`);
}

/** One browser script bundled and minified, as text (`define`: identifiers replaced in it). */
async function bundleForBrowser(entry, define = {}) {
  const result = await build({
    entryPoints: [join(root, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'safari16', 'firefox115'],
    minify: true,
    write: false,
    legalComments: 'none',
    define,
    logLevel: quiet ? 'error' : 'warning',
  });
  return result.outputFiles[0].text;
}

async function buildUiBundle() {
  // The worker that makes Apply's PNG, as source text for a blob: URL (ui/result-png-in-worker.ts).
  const resultPngWorker = await bundleForBrowser('ui/result-png-worker.ts');
  return bundleForBrowser('ui/index.tsx', {
    // ORT resolves its .wasm next to import.meta.url; we hand it the bytes (env.wasm.wasmBinary)
    // instead, so the URL is never used. Defining it silences esbuild's IIFE warning.
    'import.meta.url': 'undefined',
    'process.env.NODE_ENV': '"production"',
    RESULT_PNG_WORKER_SOURCE: JSON.stringify(resultPngWorker),
  });
}

/** One asset as src/assets/bundled-assets.ts expects it: gzip, then base64. */
function packAsset(name, bytes) {
  const gz = gzipSync(bytes, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
  const gzipBase64 = gz.toString('base64');
  log(`  ${name.padEnd(16)} ${mib(bytes.length)} raw, ${mib(gz.length)} gzip, ${mib(gzipBase64.length)} base64`);
  return { rawBytes: bytes.length, gzipBase64 };
}

function packAssets(models) {
  const assets = {};
  const wanted = (options.runtimes ?? 'ort-wasm').split(',');
  for (const name of wanted) {
    if (!RUNTIMES[name])
      throw new Error(`--runtimes: unknown runtime ${name} (known: ${Object.keys(RUNTIMES).join(', ')})`);
    assets[name] = packAsset(name, readFileSync(RUNTIMES[name]));
  }
  if (models) {
    assets['model-config'] = packAsset('model-config', Buffer.from(JSON.stringify(models.config)));
    for (const role of GRAPH_ROLES) assets[role] = packAsset(role, models.graphs[role]);
  }
  return assets;
}

/** A path inside the project relative to it, any other in full. */
const shown = (path) => (relative(root, path).startsWith('..') ? path : relative(root, path));

function readModels() {
  const configFile = join(modelsDir, 'model.json');
  const noModel = (missing) => {
    console.warn(
      `\n*** build: WARNING: no model bundled (${missing.map((f) => relative(root, f)).join(', ')} missing).\n` +
        '*** The UI will say that the model failed to load. Export the model first ' +
        '(PYTHONPATH=. python3 -m smat_model.export.export_onnx).\n',
    );
    return null;
  };
  if (!existsSync(configFile)) return noModel([configFile]);
  const config = JSON.parse(readFileSync(configFile, 'utf8'));
  // model.json names the graphs (core/model-config.ts checks the names when the UI parses it).
  for (const role of GRAPH_ROLES) {
    if (typeof config[role] !== 'string')
      throw new Error(`${relative(root, configFile)} names no ${role} graph: re-export the model`);
  }
  const names = GRAPH_ROLES.map((role) => config[role]);
  const missing = names.map((f) => join(modelsDir, f)).filter((f) => !existsSync(f));
  if (missing.length) return noModel(missing);
  // A damaged graph would be bundled and fail, or give wrong mattes, only inside Figma: the sizes
  // and SHA-256 that model.json records (at export) must match before anything is built.
  const { files, problems } = readVerifiedModelFiles(modelsDir, config, names);
  if (problems.length) {
    console.error(
      `build: the model files in ${shown(modelsDir)} do not match ${shown(configFile)}:\n` +
        problems.map((p) => `  - ${p}\n`).join('') +
        'build: they are damaged or from another export: restore them, or re-export the model. Nothing was built.',
    );
    process.exit(1);
  }
  return { graphs: Object.fromEntries(GRAPH_ROLES.map((role) => [role, files.get(config[role])])), config };
}

/** `</script` inside inlined JS or JSON would end the element early. */
const escapeScript = (text) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

async function buildUi() {
  const js = await buildUiBundle();
  log(`  ui bundle  ${mib(js.length)}`);
  const css = readFileSync(join(root, 'ui/styles.css'), 'utf8');
  let html = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n';
  html += '<meta name="viewport" content="width=device-width, initial-scale=1">\n';
  html += `<title>SMat</title>\n<style>${css}</style>\n</head><body>\n<div id="app"></div>\n`;
  html += `<script>${escapeScript(js)}</script>\n</body></html>\n`;
  writeFileSync(join(distDir, 'ui.html'), html);
  const size = Buffer.byteLength(html);
  console.log(`dist/ui.html   ${mib(size)} (${size} bytes)`);
  if (size > UI_HTML_LIMIT) {
    console.error(`build: dist/ui.html is ${size} bytes, over ${UI_HTML_LIMIT}: Figma's data: URL would not load it`);
    process.exit(1);
  }
}

const t0 = Date.now();
const models = readModels();
if (!options['no-sandbox']) await buildSandbox(packAssets(models));
await buildUi();
if (!models) console.log('build: [NO MODEL BUNDLED]');
log(`build done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
