// The paint SMat works on: the top-most visible media paint of a node. Figma lists fills bottom to
// top, so the last visible IMAGE/VIDEO paint is the one the user sees.
export type ImagePaintLookup =
  | { kind: 'image'; index: number; paint: ImagePaint }
  | { kind: 'video' }
  | { kind: 'none' };

export function getImagePaint(fills: ReadonlyArray<Paint> | symbol): ImagePaintLookup {
  // figma.mixed (a symbol) only happens on text ranges; such a node has no single image fill.
  if (typeof fills === 'symbol') return { kind: 'none' };
  for (let i = fills.length - 1; i >= 0; i--) {
    const paint = fills[i];
    if (paint.visible === false) continue;
    if (paint.type === 'VIDEO') return { kind: 'video' };
    if (paint.type === 'IMAGE') return { kind: 'image', index: i, paint };
  }
  return { kind: 'none' };
}
