// TILE paints repeat the image, so a prompt drawn over any copy means the same spot in the source.
// The whole prompt moves by one lattice offset, picked from its centre, so a box or stroke keeps its
// shape instead of being torn across tile edges (the part past the tile edge is clipped later).
import type { Point, Prompt } from '../../core/prompt-types';
import type { Size } from './map-node-space-to-image-pixels';

export function wrapPromptIntoTile(prompt: Prompt, tile: Size): Prompt {
  const centre = promptCentre(prompt);
  const dx = -Math.floor(centre.x / tile.width) * tile.width;
  const dy = -Math.floor(centre.y / tile.height) * tile.height;
  if (dx === 0 && dy === 0) return prompt;
  switch (prompt.kind) {
    case 'point':
      return { ...prompt, x: prompt.x + dx, y: prompt.y + dy };
    case 'box':
      return { ...prompt, x: prompt.x + dx, y: prompt.y + dy };
    case 'scribble':
      return { ...prompt, points: prompt.points.map((p) => ({ x: p.x + dx, y: p.y + dy })) };
  }
}

function promptCentre(prompt: Prompt): Point {
  switch (prompt.kind) {
    case 'point':
      return prompt;
    case 'box':
      return { x: prompt.x + prompt.width / 2, y: prompt.y + prompt.height / 2 };
    case 'scribble': {
      const xs = prompt.points.map((p) => p.x);
      const ys = prompt.points.map((p) => p.y);
      return { x: (Math.min(...xs) + Math.max(...xs)) / 2, y: (Math.min(...ys) + Math.max(...ys)) / 2 };
    }
  }
}
