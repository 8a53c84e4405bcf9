// The panel's own image code run once on a small image (core/warm-up-image.ts) as the panel starts,
// while the model's bytes stream in: the first photo's upsampling, clean-up and previews then run
// compiled code, where a cold start ran them unoptimised on a full-size photo.
import { warmUpPostprocessing } from '../core/smat-runner';
import { warmUpImage } from '../core/warm-up-image';
import { downscaleForDisplay, mattePreviews } from './preview';

export function warmUpImageCode(): void {
  const { image, alpha } = warmUpImage();
  warmUpPostprocessing(image, alpha);
  const shown = downscaleForDisplay(image, image.width / 2);
  mattePreviews(shown, image, alpha, true, shown.width / 2);
}
