#!/usr/bin/env node
// Builds the plugin:
//   dist/code.js  - the Figma sandbox (src/main.ts), one IIFE for the plugin main thread.
//   dist/ui.html  - ONE self-contained document for the UI iframe: the preact bundle, the
//                   onnxruntime-web WASM binary and the ONNX models, all inlined (gzip + base64),
//                   so the plugin works offline and never fetches anything at run time.
//
// Usage: node build.mjs [--no-sandbox] [--models DIR] [--quiet]
//   SMAT_MODELS_DIR / --models: where smat-encoder.onnx, smat-head.onnx and model.json live
//   (default models/). Without models the build still succeeds, loudly: the UI then says that
//   the model failed to load.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, constants as zc } from 'node:zlib';

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quiet = flag('--quiet');
const log = (...m) => {
  if (!quiet) console.log(...m);
};
const distDir = resolve(root, option('--out') ?? 'dist');
const modelsDir = resolve(root, option('--models') ?? process.env.SMAT_MODELS_DIR ?? 'models');
mkdirSync(distDir, { recursive: true });

// The WebGPU build of onnxruntime-web (`onnxruntime-web/webgpu`) runs on the asyncify WASM binary,
// which carries both the WebGPU and the WASM (CPU) execution providers: one binary serves both.
const require = createRequire(import.meta.url);
const ortDist = dirname(require.resolve('onnxruntime-web/webgpu'));
const ORT_WASM = join(ortDist, 'ort-wasm-simd-threaded.asyncify.wasm');

const mib = (n) => `${(n / 1048576).toFixed(2)} MiB`;

async function buildSandbox() {
  const entry = join(root, 'src/main.ts');
  if (!existsSync(entry)) {
    console.warn('build: src/main.ts not found, dist/code.js not built');
    return;
  }
  await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    // Figma's sandbox is a restricted JS VM: keep the syntax conservative.
    target: 'es2017',
    outfile: join(distDir, 'code.js'),
    logLevel: quiet ? 'error' : 'warning',
    legalComments: 'none',
  });
  log(`dist/code.js   ${mib(statSync(join(distDir, 'code.js')).size)}`);
}

async function buildUiBundle() {
  const result = await build({
    entryPoints: [join(root, 'ui/index.tsx')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['chrome110', 'safari16', 'firefox115'],
    minify: true,
    write: false,
    legalComments: 'none',
    // ORT resolves its .wasm next to import.meta.url; we hand it the bytes (env.wasm.wasmBinary)
    // instead, so the URL is never used. Defining it silences esbuild's IIFE warning.
    define: { 'import.meta.url': 'undefined', 'process.env.NODE_ENV': '"production"' },
    logLevel: quiet ? 'error' : 'warning',
  });
  return result.outputFiles[0].text;
}

function gzipBase64(bytes) {
  const gz = gzipSync(bytes, { level: 9, memLevel: 9, strategy: zc.Z_DEFAULT_STRATEGY });
  return { b64: gz.toString('base64'), raw: bytes.length, gz: gz.length };
}

/** One inlined binary: <script type="application/x-smat-asset"> holding gzip+base64 text. */
function assetTag(id, bytes) {
  const { b64, raw, gz } = gzipBase64(bytes);
  log(`  ${id.padEnd(10)} ${mib(raw)} raw, ${mib(gz)} gzip, ${mib(b64.length)} base64`);
  return `<script type="application/x-smat-asset" id="asset-${id}" data-encoding="gzip-base64" data-bytes="${raw}">${b64}</script>\n`;
}

function readModels() {
  const files = ['smat-encoder.onnx', 'smat-head.onnx', 'model.json'].map((f) => join(modelsDir, f));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) {
    console.warn(
      `\n*** build: WARNING: no model bundled (${missing.map((f) => relative(root, f)).join(', ')} missing).\n` +
        '*** The UI will say that the model failed to load. Export the model first (python3 -m smat_model.export).\n',
    );
    return null;
  }
  const config = JSON.parse(readFileSync(files[2], 'utf8'));
  return { encoder: readFileSync(files[0]), head: readFileSync(files[1]), config };
}

/** `</script` inside inlined JS or JSON would end the element early. */
const escapeScript = (text) => text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

async function buildUi() {
  const js = await buildUiBundle();
  log(`  ui bundle  ${mib(js.length)}`);
  const models = readModels();
  const css = readFileSync(join(root, 'ui/styles.css'), 'utf8');
  let html = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">\n';
  html += '<meta name="viewport" content="width=device-width, initial-scale=1">\n';
  html += `<title>SMat</title>\n<style>${css}</style>\n</head><body>\n<div id="app"></div>\n`;
  html += assetTag('ort-wasm', readFileSync(ORT_WASM));
  if (models) {
    html += assetTag('encoder', models.encoder);
    html += assetTag('head', models.head);
    html += `<script type="application/json" id="asset-model-json">${escapeScript(JSON.stringify(models.config))}</script>\n`;
  }
  html += `<script>${escapeScript(js)}</script>\n</body></html>\n`;
  writeFileSync(join(distDir, 'ui.html'), html);
  const size = Buffer.byteLength(html);
  console.log(`dist/ui.html   ${mib(size)} (${size} bytes)${models ? '' : '  [NO MODEL BUNDLED]'}`);
}

const t0 = Date.now();
if (!flag('--no-sandbox')) await buildSandbox();
await buildUi();
log(`build done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
