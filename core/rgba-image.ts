/** An 8-bit RGBA raster, interleaved, straight (not premultiplied) alpha, row-major from the top-left. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}
