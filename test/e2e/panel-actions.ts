// What the e2e tests and the screenshot tool do to the plugin panel and its photos.
import type { Frame } from 'playwright-core';
import { resamplePlanes } from '../../core/resample';
import type { RgbaImage } from '../../core/rgba-image';

/**
 * A click through the DOM: Playwright's actionability checks on the sandboxed iframe are slow (they
 * would swamp the job -> apply timing; the handler that runs is the same).
 */
export async function press(frame: Frame, testId: string): Promise<void> {
  await frame.$eval(`[data-testid=${testId}]`, (el) => (el as HTMLElement).click());
}

/** Resolves once the panel shows a result that can be applied. */
export async function waitForReview(frame: Frame, timeout = 240_000): Promise<void> {
  await frame.waitForSelector('[data-testid=apply]:not([disabled])', { timeout });
}

/** The photo resampled to w x h (area-averaging when shrinking), as 8-bit RGBA. */
export function resizeTo(image: RgbaImage, w: number, h: number): RgbaImage {
  const planes = resamplePlanes(Float32Array.from(image.data), image.width, image.height, w, h, 4);
  const data = new Uint8Array(w * h * 4);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(planes[i])));
  return { width: w, height: h, data };
}
