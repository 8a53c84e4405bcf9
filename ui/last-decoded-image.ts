// The last image core's decoder read, kept for the next job on the same Figma image: a moved box
// or a new click arrives as a new job with the same imageHash and the same bytes, and decoding
// them again (plus the browser's quick decode for the panel) is work the user waits on before the
// model can start.
import type { RgbaImage } from '../core/rgba-image';

export interface DecodedImage {
  /** Figma's hash of the image bytes; what identifies the image across jobs. */
  imageHash: string;
  /** Core's decode at full resolution: what the model and Apply use. */
  source: RgbaImage;
  /** The copy the panel draws (at most the display size). */
  shown: RgbaImage;
}

export class LastDecodedImage {
  private last: DecodedImage | null = null;

  /** The kept image when it is the job's: same hash (not empty: a host may send none) and size. */
  find(job: { imageHash: string; width: number; height: number }): DecodedImage | null {
    const last = this.last;
    if (!last || !job.imageHash || last.imageHash !== job.imageHash) return null;
    return last.source.width === job.width && last.source.height === job.height ? last : null;
  }

  /** The hash of the image held, for the sandbox: a job on it may come without its bytes. */
  get imageHash(): string | null {
    return this.last?.imageHash ?? null;
  }

  keep(image: DecodedImage): void {
    this.last = image.imageHash ? image : null;
  }

  /** Before decoding another image, so that two full-resolution images are never held at once. */
  clear(): void {
    this.last = null;
  }
}
