// Bundled by bench/foreground-speed.ts and run inside headless Chromium: the same core code the
// plugin's UI runs, timed on the same synthetic input as in Node.
import { applyAlphaAsCutout } from '../core/composite';
import { estimateForeground } from '../core/estimate-foreground';
import { foregroundSpeedInput } from './foreground-speed-input';
import { timeForeground } from './foreground-timing';

(globalThis as unknown as { __fgBench: unknown }).__fgBench = (size: number, runs: number) =>
  timeForeground(foregroundSpeedInput(size), runs, estimateForeground, applyAlphaAsCutout);
