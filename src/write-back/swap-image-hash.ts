// The result keeps everything about the paint (scale mode, crop transform, rotation, filters,
// opacity, blend mode) and the other fills; only the picture changes.
export function swapImageHash(fills: ReadonlyArray<Paint>, paintIndex: number, expectedHash: string, newHash: string): Paint[] {
  const paint = fills[paintIndex];
  // The fills are re-read from the clone at Apply time; if the user edited them meanwhile the index
  // may point elsewhere, and writing the matte into the wrong paint would be worse than stopping.
  if (!paint || paint.type !== 'IMAGE' || paint.imageHash !== expectedHash) {
    throw new Error('The image changed while SMat was working. Run it again.');
  }
  return fills.map((p, i) => (i === paintIndex ? { ...paint, imageHash: newHash } : p));
}
