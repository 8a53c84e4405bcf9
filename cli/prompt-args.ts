// Parsing --box / --point values into prompts (source-image pixels).
import type { BoxPrompt, PointPrompt } from '../core/prompt-types';
import { UsageError } from './args';

function numbers(text: string, count: number, what: string, example: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const values = parts.map((s) => (s === '' ? NaN : Number(s)));
  if (parts.length !== count || values.some((v) => !Number.isFinite(v))) {
    throw new UsageError(`malformed ${what} "${text}": expected ${count} comma-separated numbers like ${example}`);
  }
  return values;
}

export function parseBoxArg(text: string): BoxPrompt {
  const [x, y, width, height] = numbers(text, 4, '--box', '10,20,300,200 (x,y,width,height)');
  if (width <= 0 || height <= 0) throw new UsageError(`malformed --box "${text}": width and height must be > 0`);
  return { kind: 'box', x, y, width, height };
}

export function parsePointArg(text: string): PointPrompt {
  const [x, y] = numbers(text, 2, '--point', '120,80 (x,y)');
  return { kind: 'point', x, y };
}

/** A "not this" click: what is under it is left out of the matte. */
export function parseExcludePointArg(text: string): PointPrompt {
  const [x, y] = numbers(text, 2, '--exclude-point', '120,80 (x,y)');
  return { kind: 'point', x, y, negative: true };
}
