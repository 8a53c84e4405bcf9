// The panel's words for an empty matte (core/empty-matte.ts says what is empty): a one-colour
// photo, a box thinner than a pixel would otherwise write an empty layer without a word.
import type { MatteMode } from '../core/messages';

export function emptyMatteMessage(mode: MatteMode, nodeName: string): string {
  return mode === 'auto'
    ? `SMat found nothing to cut out in “${nodeName}”: the matte is empty, so there is nothing to apply. ` +
        'A photo of one colour has no subject; to pick an object, draw a rectangle around it and use Matte with prompts.'
    : `The prompts on “${nodeName}” select nothing: the matte is empty, so there is nothing to apply. ` +
        'Draw the rectangle around the whole object (a box thinner than a pixel of the photo selects nothing), or put a dot on it.';
}
