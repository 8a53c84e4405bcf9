// The panel's images for the runner's coarse matte (core's MattePreview), shown while the
// full-resolution matte is made. Display only: Apply always waits for the full matte.
import type { RgbaImage } from '../core/rgba-image';
import type { MattePreview } from '../core/smat-runner';
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { resamplePlanes } from '../core/resample';

/**
 * The cut-out and mask of `shown` (the photo as the panel draws it) under the coarse matte,
 * enlarged bilinearly over the whole photo. No colour decontamination: the coarse matte's soft
 * band is cells wide, and the estimator would paint the subject's colour over real background.
 */
export function coarseMatteDisplay(shown: RgbaImage, preview: MattePreview): { cutout: RgbaImage; mask: RgbaImage } {
  const { width, height } = shown;
  const alpha = resamplePlanes(preview.alpha, preview.width, preview.height, width, height, 1);
  return { cutout: applyAlphaAsCutout(shown, alpha), mask: alphaAsLuminanceMask(alpha, width, height) };
}
