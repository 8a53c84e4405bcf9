// Shared pieces of the e2e test: build, playground server, headless Chromium with the network cut.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Frame, type Page, type Request } from 'playwright-core';
// @ts-expect-error plain ESM module without types
import { startPlayground } from '../../playground/server.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const dataDir = process.env.SMAT_DATA ? resolve(process.env.SMAT_DATA) : resolve(root, '../shared/data');
import { CHROMIUM, CHROMIUM_ARGS } from '../../tools/headless-chromium';
import type { PluginUiGlobals } from './page-globals';
export { CHROMIUM, CHROMIUM_ARGS };

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((n) => newestMtime(join(path, n))));
}

/** dist/code.js: the sandbox, carrying the runtime and the model (build.mjs). */
export const codePath = join(root, 'dist/code.js');

/** Builds dist/ when it is missing or older than its sources (src/, ui/, core/, models/, build.mjs). */
export function ensureBuilt(): string {
  const ui = join(root, 'dist/ui.html');
  // SMAT_E2E_NO_BUILD=1: test dist/ as it is (e.g. a build made with SMAT_MODELS_DIR).
  if (process.env.SMAT_E2E_NO_BUILD === '1' && existsSync(ui) && existsSync(codePath)) return ui;
  const sources = ['src', 'ui', 'core', 'models', 'build.mjs'].map((p) => newestMtime(join(root, p)));
  const built = Math.min(...[ui, codePath].map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
  if (built < Math.max(...sources)) {
    const r = spawnSync(process.execPath, [join(root, 'build.mjs')], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed');
  }
  return ui;
}

/** Whether a built code.js carries the model (its first line is the assets; see build.mjs). */
export function codeHasModel(code: string): boolean {
  if (!existsSync(code)) return false;
  const text = readFileSync(code, 'latin1');
  const firstLine = text.slice(0, text.indexOf('\n'));
  return firstLine.includes('"encoder":') && firstLine.includes('"model-config":');
}

export interface Session {
  browser: Browser;
  page: Page;
  url: string;
  /** Requests that were not to the playground server: all aborted; must stay empty. */
  blocked: string[];
  /** Every request made by the plugin iframe (it must make none). */
  fromPlugin: string[];
  consoleErrors: string[];
  close(): Promise<void>;
}

/**
 * WebGPU through SwiftShader (software Vulkan) for the opt-in WebGPU test: slow, but it is a real
 * WebGPU device that can be destroyed to exercise the device-lost fallback.
 */
export const CHROMIUM_WEBGPU_ARGS = [
  ...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'),
  '--enable-unsafe-webgpu',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan,WebGPU',
  '--use-angle=swiftshader',
  '--ignore-gpu-blocklist',
];

export async function openPlayground(
  uiPath: string,
  viewport = { width: 1280, height: 800 },
  opts: { args?: string[]; query?: string } = {},
): Promise<Session> {
  const server = await startPlayground({ port: 0, uiPath });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: opts.args ?? CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const origin = new URL(server.url).origin;
  const blocked: string[] = [];
  const fromPlugin: string[] = [];
  const consoleErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`)) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  page.on('request', (req: Request) => {
    const frame = req.frame();
    if (frame !== page.mainFrame()) fromPlugin.push(req.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await page.goto(server.url + (opts.query ?? ''));
  await page.waitForFunction(() => window.playground?.uiReady === true, null, { timeout: 60_000 });
  return {
    browser,
    page,
    url: server.url,
    blocked,
    fromPlugin,
    consoleErrors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** The plugin iframe (the srcdoc document). */
export async function pluginFrame(page: Page): Promise<Frame> {
  const handle = await page.waitForSelector('#plugin');
  const frame = await handle.contentFrame();
  if (!frame) throw new Error('plugin iframe has no frame');
  return frame;
}

/** Waits for the model to be ready in the plugin (or for its load error). */
export async function waitForModel(frame: Frame, timeout = 180_000): Promise<string> {
  await frame.waitForFunction(
    () => {
      const s = (window as unknown as PluginUiGlobals).__smat?.state;
      return s && s.model.status !== 'loading';
    },
    null,
    { timeout, polling: 100 },
  );
  return frame.evaluate(() => (window as unknown as PluginUiGlobals).__smat!.state.model.status);
}

export function listEcssd(): { name: string; image: string; mask: string }[] {
  const dir = join(dataDir, 'ecssd-val');
  if (!existsSync(join(dir, 'images'))) return [];
  return readdirSync(join(dir, 'images'))
    .filter((n) => n.endsWith('.jpg'))
    .sort()
    .map((n) => ({ name: n, image: join(dir, 'images', n), mask: join(dir, 'masks', n.replace(/\.jpg$/, '.png')) }))
    .filter((e) => existsSync(e.mask));
}

export function findExample(name: string): string | null {
  for (const d of [join(root, 'examples'), join(dataDir, 'examples')]) {
    if (existsSync(join(d, name))) return join(d, name);
  }
  return null;
}
