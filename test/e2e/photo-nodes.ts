// Real photos as Figma image layers in the fake API: what the Figma-faithful test and
// `npm run bench:figma` put on the canvas before a menu command runs.
import { existsSync, readFileSync } from 'node:fs';
import { decodeImage, encodePng } from '../../core/image-codecs';
import type { RgbaImage } from '../../core/rgba-image';
import type { FakePluginHost } from '../fake-figma/fake-plugin-host';
import type { FakeShapeNode } from '../fake-figma/fake-nodes';
import { resizeTo } from './panel-actions';

export interface Photo {
  name: string;
  bytes: Uint8Array;
  image: RgbaImage;
}

/** A photo from the data folder, optionally brought to `size` x `size` (as a PNG, losslessly). */
export function loadPhoto(path: string, size?: number): Photo {
  if (!existsSync(path)) throw new Error(`missing photo ${path} (set SMAT_DATA)`);
  const original = new Uint8Array(readFileSync(path));
  const file = path.split('/').pop()!;
  if (!size) return { name: file, bytes: original, image: decodeImage(original) };
  const bytes = encodePng(resizeTo(decodeImage(original), size, size));
  return { name: `${file.replace(/\.\w+$/, '')}-${size}.png`, bytes, image: decodeImage(bytes) };
}

/** An image layer showing `p` at its own pixel size (FILL), so node space = image pixels. */
export function addPhotoNode(host: FakePluginHost, p: Photo): FakeShapeNode {
  const node = host.shape('RECTANGLE', p.name, p.image.width, p.image.height);
  const { hash } = host.storeImage(p.bytes, p.image.width, p.image.height);
  node.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
  return node;
}

export function imageHashOf(node: FakeShapeNode): string {
  return (node.fills as ImagePaint[])[0].imageHash!;
}
