// The source's image paint as it is at Apply time. Fills are re-read then; if the user edited them
// while the model ran, the index may point elsewhere, and writing the matte over the wrong picture
// would be worse than stopping.
export function readSourcePaint(
  fills: ReadonlyArray<Paint> | symbol,
  paintIndex: number,
  expectedHash: string,
): ImagePaint {
  const paint = typeof fills === 'symbol' ? undefined : fills[paintIndex];
  if (paint?.type !== 'IMAGE' || paint.imageHash !== expectedHash) {
    throw new Error('The image changed while SMat was working. Run it again.');
  }
  return paint;
}
