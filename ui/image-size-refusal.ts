// An image too small or too thin for the model gives a blank matte, never a cut-out; it is refused
// before the model runs, by the same rule `smat matte` applies (core/letterbox.ts).
import { degenerateImageReason } from '../core/letterbox';

export function imageSizeRefusal(
  image: { nodeName: string; width: number; height: number },
  inputSize: number,
): string | null {
  const reason = degenerateImageReason(image.width, image.height, inputSize);
  return reason && `SMat can't cut out “${image.nodeName}”: the ${reason}. Nothing was written.`;
}
