// Speed of colour decontamination at 1000x1000 and 4096x4096 (no onnxruntime involved): in Node,
// and in headless Chromium on a bundle of the same core code (the plugin's UI runs it there).
import { applyAlphaAsCutout } from '../core/composite';
import { estimateForeground } from '../core/estimate-foreground';
import { CHROMIUM, CHROMIUM_ARGS } from '../tools/headless-chromium';
import { foregroundSpeedInput } from './foreground-speed-input';
import { timeForeground, type ForegroundTiming } from './foreground-timing';

export const FOREGROUND_SIZES = [1000, 4096];

export function foregroundSpeedNode(sizes: number[], runs: number, log: (s: string) => void): ForegroundTiming[] {
  return sizes.map((size) => {
    const t = timeForeground(foregroundSpeedInput(size), runs, estimateForeground, applyAlphaAsCutout);
    log(
      `  node ${size}²: estimate ${t.estimateMs.toFixed(0)} ms, cut-out ${t.cutoutMs.toFixed(0)} -> ${t.cutoutDecontaminatedMs.toFixed(0)} ms`,
    );
    return t;
  });
}

export async function foregroundSpeedChromium(
  sizes: number[],
  runs: number,
  log: (s: string) => void,
): Promise<{ timings: ForegroundTiming[]; version: string }> {
  const { build } = await import('esbuild');
  const bundle = await build({
    entryPoints: [new URL('./foreground-speed-page.ts', import.meta.url).pathname],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    minify: true,
  });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ content: bundle.outputFiles[0].text });
    const timings: ForegroundTiming[] = [];
    for (const size of sizes) {
      const t = (await page.evaluate(
        ([s, r]) =>
          (globalThis as unknown as { __fgBench: (s: number, r: number) => ForegroundTiming }).__fgBench(s, r),
        [size, runs] as const,
      )) as ForegroundTiming;
      log(
        `  chromium ${size}²: estimate ${t.estimateMs.toFixed(0)} ms, cut-out ${t.cutoutMs.toFixed(0)} -> ${t.cutoutDecontaminatedMs.toFixed(0)} ms`,
      );
      timings.push(t);
    }
    return { timings, version: browser.version() };
  } finally {
    await browser.close();
  }
}
