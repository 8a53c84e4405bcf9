// The image a selection is about when it is about one: the photo alone, or the photo with the
// shapes drawn over it (which carry no image). None or several images: no single one to prepare.
import { getImagePaint } from './get-image-paint';
import { isImageCapableNode, type ImageNode } from './image-node';

export interface SelectedImage {
  node: ImageNode;
  /** The hash of the image paint the node shows; null while it is still uploading. */
  imageHash: string | null;
}

export function singleSelectedImage(selection: ReadonlyArray<SceneNode>): SelectedImage | null {
  let found: SelectedImage | null = null;
  for (const node of selection) {
    if (!isImageCapableNode(node)) continue;
    const lookup = getImagePaint(node.fills);
    if (lookup.kind !== 'image') continue;
    if (found) return null;
    found = { node, imageHash: lookup.paint.imageHash };
  }
  return found;
}
