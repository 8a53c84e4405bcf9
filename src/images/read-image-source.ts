// figma I/O: checks one selected node and reads its image. A refusal is a result with a
// user-facing message, not a throw, so the caller can reject the whole run before anything is
// sent or written.
import type { SandboxApi } from '../figma-api';
import { errorMessage } from '../../core/errors';
import { sniffImageFormat } from '../../core/image-format';
import { getImagePaint } from './get-image-paint';
import type { ImageNode } from './image-node';
import { MAX_IMAGE_SIDE } from './limits';

export interface ImageSource {
  node: ImageNode;
  paintIndex: number;
  paint: ImagePaint;
  imageHash: string;
  /** Null when the panel holds this image decoded already (see `readImageSource`'s `heldImageHash`). */
  bytes: Uint8Array | null;
  width: number;
  height: number;
}

export type ReadImageResult =
  | { kind: 'image'; source: ImageSource }
  /** The node has no image fill: not an error by itself, since prompt shapes are selected too. */
  | { kind: 'no-image' }
  /** It has one that SMat cannot use; `message` says why, for the user. */
  | { kind: 'refused'; message: string };

/**
 * `heldImageHash`: the image the panel holds decoded. When the node shows that very image its bytes
 * are not read: they were checked and sent when the panel got them.
 */
export async function readImageSource(
  api: SandboxApi,
  node: ImageNode,
  heldImageHash: string | null = null,
): Promise<ReadImageResult> {
  const lookup = getImagePaint(node.fills);
  if (lookup.kind === 'none') return { kind: 'no-image' };
  if (lookup.kind === 'video')
    return { kind: 'refused', message: `"${node.name}" holds a video. SMat works on still PNG or JPEG images.` };

  const unreadable = `Can't read the image in "${node.name}": it is not a PNG or JPEG.`;
  const hash = lookup.paint.imageHash;
  const image = hash ? api.getImageByHash(hash) : null;
  // No hash: the fill is still uploading or its data is gone; either way there are no bytes to read.
  if (!hash || !image)
    return {
      kind: 'refused',
      message: `The image in "${node.name}" has no data yet. Wait for it to finish loading and run SMat again.`,
    };

  const held = hash === heldImageHash;
  let bytes: Uint8Array | null;
  let size: { width: number; height: number };
  try {
    [bytes, size] = await Promise.all([held ? null : image.getBytesAsync(), image.getSizeAsync()]);
  } catch (error) {
    // Figma fetches image data on demand: offline or on a flaky connection this is a download
    // failure, and "not a PNG or JPEG" would send the user looking for the wrong problem.
    return {
      kind: 'refused',
      message: `Couldn't download the image in "${node.name}" (${errorMessage(error)}). Check the connection and run SMat again.`,
    };
  }
  // Held bytes were sniffed when they were sent.
  const format = bytes && sniffImageFormat(bytes);
  if (format === 'gif')
    return { kind: 'refused', message: `"${node.name}" is a GIF. SMat works on still PNG or JPEG images.` };
  if (format && format !== 'png' && format !== 'jpeg') return { kind: 'refused', message: unreadable };
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
    return {
      kind: 'refused',
      message: `"${node.name}" is ${size.width}×${size.height} px; SMat takes images up to ${MAX_IMAGE_SIDE} px on a side.`,
    };
  }
  return {
    kind: 'image',
    source: {
      node,
      paintIndex: lookup.index,
      paint: lookup.paint,
      imageHash: hash,
      bytes,
      width: size.width,
      height: size.height,
    },
  };
}
