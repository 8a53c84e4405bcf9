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
