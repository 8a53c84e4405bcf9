// Alpha in [0,1] to an 8-bit value, the same rounding for every PNG the project writes.

export function alphaToByte(a: number): number {
  // NaN (a broken model output) becomes transparent rather than opaque.
  return a > 0 ? (a < 1 ? Math.round(a * 255) : 255) : 0;
}
