// The paints a result layer carries. Only the image paint: other fills (a colour overlay above the
// photo, a solid backing below it) would fill the cut-out's transparent area.
//
// Cut-out: the image paint as the user set it up (crop, rotation, filters, paint opacity), with the
// matte's picture, so the subject looks as it does in the source.
export function cutoutPaint(paint: ImagePaint, matteHash: string): ImagePaint {
  return { ...paint, imageHash: matteHash };
}

/**
 * Luminance mask: where the pixels land (scale mode, crop, tiling, rotation) and nothing else.
 * Filters (exposure, contrast...), paint opacity and blend mode would change the grey values, and
 * the mask must be the matte's alpha alone.
 */
export function maskPaint(paint: ImagePaint, matteHash: string): ImagePaint {
  return {
    type: 'IMAGE',
    scaleMode: paint.scaleMode,
    imageHash: matteHash,
    ...(paint.imageTransform !== undefined && { imageTransform: paint.imageTransform }),
    ...(paint.scalingFactor !== undefined && { scalingFactor: paint.scalingFactor }),
    ...(paint.rotation !== undefined && { rotation: paint.rotation }),
  };
}
