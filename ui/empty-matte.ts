// A matte with next to nothing in it would write an empty layer without a word (a one-colour
// photo, a box thinner than a pixel). The panel names it and keeps Apply off instead.
import type { MatteMode } from '../core/messages';

/**
 * Empty: the matte's coverage (sum of alpha, in source pixels) is under one cell of the model's
 * feature grid. The model cannot resolve anything smaller than a cell, so such a remnant is the
 * fringe around a prompt that selected nothing, not an object.
 */
export function isEmptyMatte(alpha: Float32Array, width: number, height: number, featureSize: number): boolean {
  const cellSide = Math.max(width, height) / featureSize;
  const minCoverage = Math.max(1, cellSide * cellSide);
  let coverage = 0;
  for (let i = 0; i < alpha.length; i++) {
    coverage += alpha[i];
    if (coverage >= minCoverage) return false;
  }
  return true;
}

export function emptyMatteMessage(mode: MatteMode, nodeName: string): string {
  return mode === 'auto'
    ? `SMat found nothing to cut out in “${nodeName}”: the matte is empty, so there is nothing to apply. ` +
        'A photo of one colour has no subject; to pick an object, draw a rectangle around it and use Matte with prompts.'
    : `The prompts on “${nodeName}” select nothing: the matte is empty, so there is nothing to apply. ` +
        'Draw the rectangle around the whole object (a box thinner than a pixel of the photo selects nothing), or put a dot on it.';
}
