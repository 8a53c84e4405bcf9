/** figma.createImage takes at most 4096 x 4096; larger sources could never be written back. */
export const MAX_IMAGE_SIDE = 4096;
