// figma I/O for Apply: writes the matte as new nodes above the source. The source is only read.
// On any failure everything created so far is removed and shape visibility restored, so a failed
// Apply leaves the document as it was.
import type { MatteOutput } from '../../core/messages';
import type { SandboxApi } from '../figma-api';
import type { ImageNode } from '../images/image-node';
import { MAX_IMAGE_SIDE } from '../images/limits';
import { readPngSize } from '../images/read-png-size';
import { createImageLayer } from './create-image-layer';
import { findResultPlace, type ResultPlace } from './find-result-place';
import { cutoutPaint, maskPaint } from './image-only-paints';
import { alignByDescendant, insertAboveSource, isAutoLayout } from './place-above-source';
import { readSourcePaint } from './read-source-paint';
import { REFINE_COMMAND, REFINE_DESCRIPTION, RESULT_SOURCE_KEY } from './result-markers';

export interface WriteRequest {
  source: ImageNode;
  paintIndex: number;
  imageHash: string;
  width: number;
  height: number;
  /** Shapes whose prompts were used: hidden once the result exists. */
  usedShapes: ReadonlyArray<SceneNode>;
  /** Refine: the earlier result this one replaces (removed once the new one is written). */
  replaces: SceneNode | null;
  pngBytes: Uint8Array;
  output: MatteOutput;
}

/** A new layer of the source's shape showing `paint`, recorded for removal should the write fail. */
type NewLayer = (paint: ImagePaint, name: string) => ImageNode;

export function writeMatteResult(api: SandboxApi, request: WriteRequest): SceneNode {
  const { source } = request;
  if (source.removed) throw new Error(`"${source.name}" was deleted.`);
  checkResultSize(request);
  const place = findResultPlace(source);
  if (!place) throw new Error(`"${source.name}" is not on a page any more.`);
  const paint = readSourcePaint(source.fills, request.paintIndex, request.imageHash);

  const created: SceneNode[] = [];
  const hidden: SceneNode[] = [];
  try {
    const image = api.createImage(request.pngBytes);
    // Every node is listed in `created` the moment it exists, so a later failure can remove it.
    const newLayer: NewLayer = (layerPaint, name) => {
      const layer = createImageLayer(api, source, layerPaint);
      created.push(layer);
      layer.name = name;
      return layer;
    };
    const result =
      request.output === 'mask'
        ? writeMaskGroup(api, newLayer, source, place, paint, image.hash, created)
        : writeCutout(newLayer, source, place, paint, image.hash);

    result.setPluginData(RESULT_SOURCE_KEY, source.id);
    result.setRelaunchData({ [REFINE_COMMAND]: REFINE_DESCRIPTION });
    for (const shape of request.usedShapes) {
      if (shape.removed || !shape.visible) continue;
      shape.visible = false;
      hidden.push(shape);
    }
    if (request.replaces && !request.replaces.removed && request.replaces.id !== source.id) request.replaces.remove();
    return result;
  } catch (error) {
    for (const shape of hidden) if (!shape.removed) shape.visible = true;
    // Children first: removing a group that is already gone would throw and hide the real error.
    for (const node of created.reverse()) if (!node.removed) node.remove();
    throw error;
  }
}

/** The cut-out: a layer shaped like the source showing only the image paint, with the matte's picture. */
function writeCutout(
  newLayer: NewLayer,
  source: ImageNode,
  place: ResultPlace,
  paint: ImagePaint,
  matteHash: string,
): SceneNode {
  const layer = newLayer(cutoutPaint(paint, matteHash), `${source.name} (matte)`);
  insertAboveSource(layer, source, place);
  return layer;
}

/**
 * Mask output. A Figma mask clips the siblings ABOVE it in its parent, so a bare mask layer above
 * the original would clip unrelated layers and not the photo. Instead the user gets a group
 * "<name> (matte)" right above the original holding:
 *   - "<name> (mask)": the grey matte alone (no filters, full opacity), isMask = true, LUMINANCE
 *     (white keeps, black hides), at the bottom;
 *   - "<name>": the source's image paint alone above it, which the mask clips.
 * The group looks like the cut-out, but the photo stays whole and the mask can be moved, replaced or
 * switched off. The original is untouched underneath.
 */
function writeMaskGroup(
  api: SandboxApi,
  newLayer: NewLayer,
  source: ImageNode,
  place: ResultPlace,
  paint: ImagePaint,
  matteHash: string,
  created: SceneNode[],
): SceneNode {
  const mask = newLayer(maskPaint(paint, matteHash), `${source.name} (mask)`);
  mask.isMask = true;
  mask.maskType = 'LUMINANCE';
  const photo = newLayer(paint, source.name);

  insertAboveSource(mask, source, place, 1);
  insertAboveSource(photo, source, place, 2);
  const { parent } = place;
  const group = api.group([mask, photo], parent, parent.children.indexOf(place.above) + 1);
  created.unshift(group);
  group.name = `${source.name} (matte)`;
  if (isAutoLayout(parent)) {
    group.layoutPositioning = 'ABSOLUTE';
    alignByDescendant(group, mask, source);
  }
  return group;
}

function checkResultSize(request: WriteRequest): void {
  const size = readPngSize(request.pngBytes);
  if (!size) throw new Error('The matte is not a PNG.');
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
    throw new Error(
      `The matte is ${size.width}×${size.height} px; Figma takes at most ${MAX_IMAGE_SIDE} px on a side.`,
    );
  }
  // Same size as the source: TILE paints size tiles by pixels, so another size would shift the result.
  if (size.width !== request.width || size.height !== request.height) {
    throw new Error(
      `The matte is ${size.width}×${size.height} px but the image is ${request.width}×${request.height} px.`,
    );
  }
}
