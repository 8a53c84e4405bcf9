// Whether a colour reads as red to a designer picking a "stop" colour. Pure. Bounds: within 25° of
// red's hue (so orange and magenta are not), saturated (so pink and greys are not) and bright
// enough to be seen as a colour (so a near-black maroon is not).

const MAX_HUE_OFFSET_DEGREES = 25;
const MIN_SATURATION = 0.5;
const MIN_VALUE = 0.35;

/** `r`, `g`, `b` in 0..1, as Figma's SolidPaint.color; saturation and value as in HSV. */
export function isRed({ r, g, b }: RGB): boolean {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < MIN_VALUE || (max - min) / max < MIN_SATURATION) return false;
  // Only hues within 60° of red have red as the largest channel; there the hue is this ratio.
  if (r !== max) return false;
  const hue = (60 * (g - b)) / (max - min);
  return Math.abs(hue) <= MAX_HUE_OFFSET_DEGREES;
}
