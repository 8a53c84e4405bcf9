// Pure geometry: canvas shapes -> prompts in source-image pixels, for every scale mode and for
// rotated, skewed and flipped nodes.
import { describe, expect, it } from 'vitest';
import type { Prompt } from '../core/prompt-types';
import { applyAffine, composeAffine, invertAffine, type Affine } from '../src/geometry/affine';
import { classifyPromptShape } from '../src/geometry/classify-prompt-shape';
import { alignByDescendant } from '../src/write-back/place-above-source';
import { clipPromptToImage } from '../src/geometry/clip-prompt-to-image';
import { mapNodeSpaceToImagePixels, type PaintPlacement } from '../src/geometry/map-node-space-to-image-pixels';
import {
  mapShapeToImagePrompts,
  type ImageTarget,
  type PromptShapeGeometry,
} from '../src/geometry/map-shape-to-image-prompts';

const ID: Affine = [
  [1, 0, 0],
  [0, 1, 0],
];
const fill: PaintPlacement = { scaleMode: 'FILL' };

function nodeToPixel(
  node: { width: number; height: number },
  image: { width: number; height: number },
  paint: PaintPlacement,
  x: number,
  y: number,
) {
  return applyAffine(mapNodeSpaceToImagePixels(node, image, paint).affine, { x, y });
}

/** Each landing [x, y, px, py]: node point (x, y) maps to image pixel (px, py) under `paint`. */
function expectLandings(
  node: { width: number; height: number },
  image: { width: number; height: number },
  paint: PaintPlacement,
  ...landings: [number, number, number, number][]
): void {
  for (const [x, y, px, py] of landings) expect(nodeToPixel(node, image, paint, x, y)).toEqual({ x: px, y: py });
}

/** A 4x4 dot whose centre is at page (x, y). */
function dotAt(x: number, y: number): PromptShapeGeometry {
  return {
    type: 'ELLIPSE',
    width: 4,
    height: 4,
    absoluteTransform: translate(x - 2, y - 2),
    strokeWeight: 1,
    vectorPaths: [],
  };
}

function rect(width: number, height: number, absoluteTransform: Affine): PromptShapeGeometry {
  return { type: 'RECTANGLE', width, height, absoluteTransform, strokeWeight: 1, vectorPaths: [] };
}

/** A stroked LINE or VECTOR shape (vectorPaths in its local space). */
function strokeShape(
  type: 'LINE' | 'VECTOR',
  width: number,
  height: number,
  absoluteTransform: Affine,
  strokeWeight: number,
  vectorPaths: string[] = [],
): PromptShapeGeometry {
  return { type, width, height, absoluteTransform, strokeWeight, vectorPaths };
}

/** A page translation by (x, y). */
function translate(x: number, y: number): Affine {
  return [
    [1, 0, x],
    [0, 1, y],
  ];
}

/** An image node that is not rotated or moved, so page coordinates are node coordinates. */
function unmovedTarget(
  node: { width: number; height: number },
  image: { width: number; height: number },
  paint: PaintPlacement,
): ImageTarget {
  return { node: { ...node, absoluteTransform: ID }, image, paint };
}

/** A scribble prompt through the given (x, y) points. */
function scribble(width: number, ...points: [number, number][]): Prompt {
  return { kind: 'scribble', points: points.map(([x, y]) => ({ x, y })), width };
}

function single(prompts: Prompt[]): Prompt {
  expect(prompts).toHaveLength(1);
  return prompts[0];
}

/** A CROP paint showing the window `imageTransform` picks (node-normalised -> image-normalised). */
function cropTo(imageTransform: Transform): PaintPlacement {
  return { scaleMode: 'CROP', imageTransform };
}

describe('scale modes: node space -> image pixels', () => {
  const image = { width: 200, height: 100 };
  // Convention pinned here: [[0.5, 0, 0.5], [0, 1, 0]] shows the RIGHT half of the image over
  // the whole node (node u = 0 -> image u = 0.5, node u = 1 -> image u = 1).
  const rightHalf = cropTo([
    [0.5, 0, 0.5],
    [0, 1, 0],
  ]);

  it('FILL covers the node and centres the image (the overflow is cut equally on both sides)', () => {
    const node = { width: 100, height: 100 };
    // Cover scale = max(100/200, 100/100) = 1: 200x100 shown, 50 px cut left and right.
    expectLandings(node, image, fill, [0, 0, 50, 0], [100, 100, 150, 100], [50, 50, 100, 50]);
  });

  it('FIT contains the image and centres it (letterbox bands map outside the image)', () => {
    const node = { width: 100, height: 100 };
    const fit: PaintPlacement = { scaleMode: 'FIT' };
    // Contain scale = 0.5: 100x50 shown, 25 units of band above and below.
    expectLandings(node, image, fit, [0, 25, 0, 0], [100, 75, 200, 100]);
    expect(nodeToPixel(node, image, fit, 50, 10).y).toBeLessThan(0);
  });

  it('CROP: imageTransform maps node-normalised space to image-normalised space', () => {
    const node = { width: 100, height: 100 };
    expectLandings(node, image, rightHalf, [0, 0, 100, 0], [100, 100, 200, 100], [50, 50, 150, 50]);
  });

  it('CROP with a zoomed window and no imageTransform (stretched)', () => {
    const node = { width: 80, height: 40 };
    const zoom = cropTo([
      [0.25, 0, 0.25],
      [0, 0.5, 0.25],
    ]);
    // Window: image u in [0.25, 0.5], v in [0.25, 0.75] -> pixels x 50..100, y 25..75.
    expectLandings(node, image, zoom, [0, 0, 50, 25], [80, 40, 100, 75]);
    expect(nodeToPixel(node, image, { scaleMode: 'CROP' }, 80, 40)).toEqual({ x: 200, y: 100 });
  });

  it('CROP ignores paint.rotation (Figma folds it into imageTransform)', () => {
    const node = { width: 100, height: 100 };
    const a = nodeToPixel(node, image, { ...rightHalf, rotation: 90 }, 10, 20);
    const b = nodeToPixel(node, image, rightHalf, 10, 20);
    expect(a).toEqual(b);
  });

  it('TILE: scalingFactor canvas units per pixel, tiles repeat from the node origin', () => {
    const target = unmovedTarget({ width: 400, height: 400 }, image, { scaleMode: 'TILE', scalingFactor: 0.5 });
    // Tile = 100x50 canvas units.
    expect(single(mapShapeToImagePrompts(dotAt(10, 10), target))).toMatchObject({ kind: 'point', x: 20, y: 20 });
    // Same spot in the tile one right and one down.
    const wrapped = single(mapShapeToImagePrompts(dotAt(110, 60), target));
    expect(wrapped.kind === 'point' && wrapped.x).toBeCloseTo(20);
    expect(wrapped.kind === 'point' && wrapped.y).toBeCloseTo(20);
    expect(mapNodeSpaceToImagePixels(target.node, image, target.paint).tile).toEqual(image);
  });

  it('TILE moves a whole box by one tile offset, picked from its centre', () => {
    const target = unmovedTarget({ width: 400, height: 400 }, image, { scaleMode: 'TILE', scalingFactor: 1 });
    const box = single(mapShapeToImagePrompts(rect(40, 20, translate(210, 120)), target));
    expect(box).toEqual({ kind: 'box', x: 10, y: 20, width: 40, height: 20 });
  });

  it('rejects a node without area', () => {
    expect(() => mapNodeSpaceToImagePixels({ width: 0, height: 10 }, image, fill)).toThrow();
  });
});

describe('paint rotation (multiples of 90, clockwise on screen)', () => {
  const image = { width: 200, height: 100 };

  it('FILL rotated 90: the image shows 100x200; its bottom-left corner lands top-left', () => {
    const node = { width: 100, height: 200 };
    const rot: PaintPlacement = { scaleMode: 'FILL', rotation: 90 };
    expectLandings(node, image, rot, [0, 0, 0, 100], [100, 0, 0, 0], [100, 200, 200, 0]);
  });

  it('FILL rotated 180 and 270, and -90 equals 270', () => {
    const node = { width: 200, height: 100 };
    expect(nodeToPixel(node, image, { scaleMode: 'FILL', rotation: 180 }, 0, 0)).toEqual({ x: 200, y: 100 });
    const tall = { width: 100, height: 200 };
    expect(nodeToPixel(tall, image, { scaleMode: 'FILL', rotation: 270 }, 0, 0)).toEqual({ x: 200, y: 0 });
    expect(nodeToPixel(tall, image, { scaleMode: 'FILL', rotation: -90 }, 30, 40)).toEqual(
      nodeToPixel(tall, image, { scaleMode: 'FILL', rotation: 270 }, 30, 40),
    );
  });

  it('FIT rotated 90 in a square node', () => {
    // Rotated image 100x200 contained in 100x100: scale 0.5, shown 50x100, 25 units band left/right.
    const rot: PaintPlacement = { scaleMode: 'FIT', rotation: 90 };
    expectLandings({ width: 100, height: 100 }, image, rot, [25, 0, 0, 100], [75, 100, 200, 0]);
  });

  it('TILE rotated 90', () => {
    // Tile 100x200 (rotated), scale 1. Node (10, 20) -> rotated (10, 20) -> original (20, 100 - 10).
    expect(
      nodeToPixel({ width: 400, height: 400 }, image, { scaleMode: 'TILE', rotation: 90, scalingFactor: 1 }, 10, 20),
    ).toEqual({ x: 20, y: 90 });
  });
});

describe('node transforms: rotation, skew, flip', () => {
  // A square image in a square node under FILL: node space == image pixels, so only the node
  // transform is under test.
  const square = (absoluteTransform: Affine): ImageTarget => ({
    node: { width: 100, height: 100, absoluteTransform },
    image: { width: 100, height: 100 },
    paint: fill,
  });

  it('rotated image node (local x runs down the page)', () => {
    const target = square([
      [0, -1, 200],
      [1, 0, 0],
    ]);
    // Local (10, 20) is on the page at (200 - 20, 10).
    expect(single(mapShapeToImagePrompts(dotAt(180, 10), target))).toEqual({ kind: 'point', x: 10, y: 20 });
  });

  it('flipped image node', () => {
    const target = square([
      [-1, 0, 100],
      [0, 1, 0],
    ]);
    expect(single(mapShapeToImagePrompts(dotAt(30, 40), target))).toEqual({ kind: 'point', x: 70, y: 40 });
  });

  it('skewed image node', () => {
    const target = square([
      [1, 0.5, 0],
      [0, 1, 0],
    ]);
    // Page (x, y) = local (x + 0.5 y, y): page (60, 40) is local (40, 40).
    const p = single(mapShapeToImagePrompts(dotAt(60, 40), target));
    expect(p.kind === 'point' && p.x).toBeCloseTo(40);
    expect(p.kind === 'point' && p.y).toBeCloseTo(40);
  });

  it('any image and shape transform: the chain equals local -> page -> node -> pixels', () => {
    const imageAbs: Affine = [
      [0.8, -0.9, 37],
      [0.6, 1.1, -12],
    ]; // rotated + skewed + scaled
    const shapeAbs: Affine = [
      [-0.5, 0.2, 60],
      [0.3, 0.7, 40],
    ]; // flipped + skewed
    const target: ImageTarget = {
      node: { width: 120, height: 90, absoluteTransform: imageAbs },
      image: { width: 300, height: 400 },
      paint: { scaleMode: 'FIT', rotation: 90 },
    };
    const shape = strokeShape('VECTOR', 50, 50, shapeAbs, 2, ['M 0 0 L 40 10']);
    const [scribble] = mapShapeToImagePrompts(shape, target);
    const nodeToPx = mapNodeSpaceToImagePixels(target.node, target.image, target.paint).affine;
    const expected = applyAffine(
      nodeToPx,
      applyAffine(invertAffine(imageAbs), applyAffine(shapeAbs, { x: 40, y: 10 })),
    );
    expect(scribble.kind).toBe('scribble');
    if (scribble.kind !== 'scribble') return;
    expect(scribble.points[1].x).toBeCloseTo(expected.x);
    expect(scribble.points[1].y).toBeCloseTo(expected.y);
    // Round trip: the inverse chain brings it back to shape-local.
    const back = applyAffine(
      invertAffine(composeAffine(shapeAbs, invertAffine(imageAbs), nodeToPx)),
      scribble.points[1],
    );
    expect(back.x).toBeCloseTo(40);
    expect(back.y).toBeCloseTo(10);
  });

  it('a rotated rectangle becomes the bounding box of its 4 mapped corners', () => {
    const c = Math.SQRT1_2;
    const box = single(
      mapShapeToImagePrompts(
        rect(20, 20, [
          [c, -c, 50],
          [c, c, 50],
        ]),
        square(ID),
      ),
    );
    expect(box.kind).toBe('box');
    if (box.kind !== 'box') return;
    expect(box.x).toBeCloseTo(50 - 20 * c);
    expect(box.y).toBeCloseTo(50);
    expect(box.width).toBeCloseTo(40 * c);
    expect(box.height).toBeCloseTo(40 * c);
  });

  it('a box under a rotated image node is axis-aligned in image pixels', () => {
    // Image node rotated 90: a page-axis rectangle is still a rectangle in the image, with sides swapped.
    const box = single(
      mapShapeToImagePrompts(
        rect(30, 10, translate(150, 20)),
        square([
          [0, -1, 200],
          [1, 0, 0],
        ]),
      ),
    );
    expect(box.kind === 'box' && [box.x, box.y, box.width, box.height].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([
      20, 20, 10, 30,
    ]);
  });

  it('stroke width follows the transform scale', () => {
    // 200x100 image in a 100x50 node under FILL: 1 canvas unit = 2 px.
    const target = unmovedTarget({ width: 100, height: 50 }, { width: 200, height: 100 }, fill);
    const line = strokeShape('LINE', 40, 0, translate(10, 20), 4);
    expect(single(mapShapeToImagePrompts(line, target))).toEqual(scribble(8, [20, 40], [100, 40]));
  });
});

describe('shape kinds', () => {
  it('rectangle -> box, ellipse -> point, vector/line -> scribble, anything tiny -> point', () => {
    expect(classifyPromptShape('RECTANGLE', 40, 30, ID)).toBe('box');
    expect(classifyPromptShape('ELLIPSE', 40, 30, ID)).toBe('point');
    expect(classifyPromptShape('VECTOR', 40, 30, ID)).toBe('scribble');
    expect(classifyPromptShape('LINE', 40, 0, ID)).toBe('scribble');
    expect(classifyPromptShape('RECTANGLE', 10, 12, ID)).toBe('point');
    expect(classifyPromptShape('VECTOR', 0, 0, ID)).toBe('point');
    // Judged by size on the canvas: a 10x10 square scaled 3x by its parent is a box.
    expect(
      classifyPromptShape('RECTANGLE', 10, 10, [
        [3, 0, 0],
        [0, 3, 0],
      ]),
    ).toBe('box');
    // Small polygons and stars are clicks; large ones are artwork, not prompts.
    expect(classifyPromptShape('STAR', 8, 8, ID)).toBe('point');
    expect(classifyPromptShape('POLYGON', 80, 80, ID)).toBeNull();
  });

  it('a pencil VECTOR gives one scribble per sub-path, in image pixels', () => {
    const target = unmovedTarget({ width: 100, height: 100 }, { width: 100, height: 100 }, fill);
    const pencil = strokeShape('VECTOR', 50, 50, translate(10, 10), 3, ['M 0 0 L 20 0', 'M 0 40 L 40 40 L 40 50']);
    const out = mapShapeToImagePrompts(pencil, target);
    expect(out).toEqual([scribble(3, [10, 10], [30, 10]), scribble(3, [10, 50], [50, 50], [50, 60])]);
  });
});

describe('alignByDescendant (mask group in auto-layout)', () => {
  it('moves the container so the inner node lands on the target, in a rotated parent', () => {
    const parentAbs: Affine = [
      [0, -1, 500],
      [1, 0, 100],
    ]; // rotated 90°
    const container = { x: 7, y: -3, parent: { absoluteTransform: parentAbs } };
    const innerRel = translate(5, 4); // inner's place inside the container
    const abs = (): Affine => composeAffine(innerRel, translate(container.x, container.y), parentAbs);
    const target = {
      absoluteTransform: composeAffine(translate(30, 40), parentAbs),
    };
    const inner = {
      get absoluteTransform() {
        return abs();
      },
    };
    alignByDescendant(container as never, inner as never, target as never);
    expect(abs()[0][2]).toBeCloseTo(target.absoluteTransform[0][2]);
    expect(abs()[1][2]).toBeCloseTo(target.absoluteTransform[1][2]);
  });
});

describe('prompts partly or entirely outside the image', () => {
  const image = { width: 100, height: 80 };

  it('boxes are clipped to the image', () => {
    expect(clipPromptToImage({ kind: 'box', x: -20, y: -10, width: 50, height: 40 }, image)).toEqual({
      kind: 'box',
      x: 0,
      y: 0,
      width: 30,
      height: 30,
    });
    expect(clipPromptToImage({ kind: 'box', x: 90, y: 70, width: 50, height: 50 }, image)).toEqual({
      kind: 'box',
      x: 90,
      y: 70,
      width: 10,
      height: 10,
    });
    expect(clipPromptToImage({ kind: 'box', x: 100, y: 0, width: 20, height: 20 }, image)).toBeNull();
  });

  it('points outside are dropped', () => {
    expect(clipPromptToImage({ kind: 'point', x: 50, y: 40 }, image)).not.toBeNull();
    expect(clipPromptToImage({ kind: 'point', x: -1, y: 40 }, image)).toBeNull();
    expect(clipPromptToImage({ kind: 'point', x: 50, y: 81 }, image)).toBeNull();
  });

  it('scribbles are kept whole when any part touches the image, dropped when none does', () => {
    const crossing = scribble(4, [-50, 40], [150, 40]);
    expect(clipPromptToImage(crossing, image)).toEqual(crossing);
    const partly = scribble(4, [-50, -50], [10, 10]);
    expect(clipPromptToImage(partly, image)).toEqual(partly);
    const grazing = scribble(8, [-3, 10], [-3, 50]);
    expect(clipPromptToImage(grazing, image)).not.toBeNull();
    const outside = scribble(4, [-50, -50], [200, -20]);
    expect(clipPromptToImage(outside, image)).toBeNull();
  });

  it('under FIT, a shape in the letterbox band maps outside the image', () => {
    const target = unmovedTarget({ width: 100, height: 100 }, { width: 200, height: 100 }, { scaleMode: 'FIT' });
    const [p] = mapShapeToImagePrompts(dotAt(50, 10), target);
    expect(clipPromptToImage(p, target.image)).toBeNull();
  });
});
