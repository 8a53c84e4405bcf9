// Keeps what the model can use: boxes are cut to the image, points and strokes that miss it are
// dropped. `null` means the prompt lies entirely outside the image.
import type { Prompt } from '../../core/prompt-types';
import { scribbleTouchesRect } from '../../core/scribble-touches-rect';
import type { Size } from './map-node-space-to-image-pixels';

export function clipPromptToImage(prompt: Prompt, image: Size): Prompt | null {
  switch (prompt.kind) {
    case 'point':
      return prompt.x >= 0 && prompt.y >= 0 && prompt.x <= image.width && prompt.y <= image.height ? prompt : null;
    case 'box': {
      const x0 = Math.max(0, prompt.x);
      const y0 = Math.max(0, prompt.y);
      const x1 = Math.min(image.width, prompt.x + prompt.width);
      const y1 = Math.min(image.height, prompt.y + prompt.height);
      return x1 > x0 && y1 > y0 ? { kind: 'box', x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
    }
    case 'scribble':
      // Points stay unclipped: the rasteriser draws only what falls inside, and cutting would
      // bend the stroke's ends.
      return scribbleTouchesRect(prompt, image.width, image.height) ? prompt : null;
  }
}
