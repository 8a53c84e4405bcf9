// The one colour a small shape shows, for reading a dot's colour as a convention. Pure.

/**
 * The top-most visible solid fill; for a shape with no visible fill (a tap of the pencil, a ring),
 * its top-most visible solid stroke. `null` when what is on top is no single colour (a gradient,
 * an image) or nothing is visible. Figma lists paints bottom to top.
 */
export function shapeColour(fills: ReadonlyArray<Paint> | symbol, strokes: ReadonlyArray<Paint>): RGB | null {
  // figma.mixed (a symbol) only happens on text ranges: no single colour.
  const fill = typeof fills === 'symbol' ? undefined : topVisible(fills);
  const paint = fill ?? topVisible(strokes);
  return paint?.type === 'SOLID' ? paint.color : null;
}

function topVisible(paints: ReadonlyArray<Paint>): Paint | undefined {
  for (let i = paints.length - 1; i >= 0; i--) {
    const paint = paints[i];
    if (paint.visible !== false && (paint.opacity ?? 1) > 0) return paint;
  }
  return undefined;
}
