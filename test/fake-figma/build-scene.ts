// A small document most sandbox tests start from: a frame "Board" at (100, 50) on the page holding
// "Photo", a 200x100 rectangle filled (FILL) with a 400x200 PNG under a solid backing paint.
import type { FakeContainer, FakeShapeNode } from './fake-nodes';
import { FakeFigma } from './fake-figma-api';
import { pngHeader } from './image-bytes';

export interface Scene {
  figma: FakeFigma;
  board: FakeContainer;
  photo: FakeShapeNode;
  hash: string;
}

export function buildScene(): Scene {
  const figma = new FakeFigma();
  const board = figma.frame('Board', 600, 400);
  board.x = 100;
  board.y = 50;
  const photo = figma.shape('RECTANGLE', 'Photo', 200, 100, board);
  photo.x = 20;
  photo.y = 30;
  const { hash } = figma.storeImage(pngHeader(400, 200), 400, 200);
  photo.fills = [
    { type: 'SOLID', color: { r: 1, g: 1, b: 1 } },
    {
      type: 'IMAGE',
      imageHash: hash,
      scaleMode: 'FILL',
      rotation: 0,
      filters: { exposure: 0.2, contrast: -0.1 },
      opacity: 0.9,
    },
  ];
  return { figma, board, photo, hash };
}

/** A stand-alone image layer in `parent`, with its own picture. */
export function addPhoto(
  figma: FakeFigma,
  parent: FakeContainer,
  name: string,
  width: number,
  height: number,
  bytes: Uint8Array,
  size = { width: 400, height: 200 },
): FakeShapeNode {
  const node = figma.shape('RECTANGLE', name, width, height, parent);
  const { hash } = figma.storeImage(bytes, size.width, size.height);
  node.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
  return node;
}

/** A 60x40 rectangle "Box" in the board over the photo: the box prompt (40, 20) 120x80 in its pixels. */
export function addBoxPrompt(scene: Scene): FakeShapeNode {
  const box = scene.figma.shape('RECTANGLE', 'Box', 60, 40, scene.board);
  box.x = 40; // node-local (20, 10)
  box.y = 40;
  return box;
}

/** A 6x6 ellipse "Dot" in the board over the photo: the point prompt (200, 40) in its pixels. */
export function addDotPrompt(scene: Scene): FakeShapeNode {
  const dot = scene.figma.shape('ELLIPSE', 'Dot', 6, 6, scene.board);
  dot.x = 117; // centre node-local (100, 20)
  dot.y = 47;
  return dot;
}

/** Everything about a node a user could see or a plugin could read, for before/after comparisons. */
export function snapshotNode(node: FakeShapeNode) {
  return structuredClone({
    id: node.id,
    name: node.name,
    type: node.type,
    visible: node.visible,
    removed: node.removed,
    fills: node.fills,
    strokeWeight: node.strokeWeight,
    width: node.width,
    height: node.height,
    relativeTransform: node.relativeTransform,
    isMask: node.isMask,
    maskType: node.maskType,
    layoutPositioning: node.layoutPositioning,
    pluginData: node.pluginData,
    relaunchData: node.relaunchData,
    parentId: node.parent?.id ?? null,
    index: node.parent ? node.parent.children.indexOf(node) : -1,
  });
}
