// Every sentence the sandbox shows the user, in one place so wording stays consistent (those about
// shapes that are not prompts: src/prompts/explain-unused-shapes.ts).
import { errorMessage } from '../../core/errors';

export const NOTHING_SELECTED = 'Select an image first.';
export const NO_IMAGE_FILL = 'The selection has no image fill. Select a layer filled with a PNG or JPEG photo.';
export const REFINE_SOURCE_MISSING = 'The original image of this matte is gone, so it cannot be refined.';
export const REFINE_NOTHING_SELECTED = 'Select a matte made by SMat to refine it.';

export function noPromptShapes(name: string): string {
  return `No prompt shapes over "${name}". Draw a rectangle, a dot or a stroke on it, or use Auto Matte.`;
}

/** Past this many, a message counts the rest of the layers instead of naming them. */
const MAX_NAMED = 4;

/** A run whose prompts over an image only say what to leave out: the model has nothing to keep. */
export function onlyNotThisClicks(imageName: string, layerNames: ReadonlyArray<string>): string {
  const named = layerNames.slice(0, MAX_NAMED).map((name) => `"${name}"`);
  if (layerNames.length > MAX_NAMED) named.push(`${layerNames.length - MAX_NAMED} more`);
  return (
    `Every prompt shape over "${imageName}" is a "not this" click (${named.join(', ')}): it says what to leave out, ` +
    'but nothing says what to keep. Add a rectangle, a dot or a stroke on the object to keep ' +
    '(a red dot means "not this" unless its name starts with "+").'
  );
}

export function notOnPage(name: string): string {
  return `"${name}" is not on a page, so there is nowhere to put its matte.`;
}

export function writeFailed(name: string, error: unknown): string {
  return `Couldn't write the matte for "${name}": ${errorMessage(error)}`;
}

/** figma.notify cuts at 100 characters; cut at a word ourselves so the message stays readable. */
export function forNotify(message: string): string {
  if (message.length <= 100) return message;
  const cut = message.slice(0, 99);
  const space = cut.lastIndexOf(' ');
  return `${space > 60 ? cut.slice(0, space) : cut}…`;
}
