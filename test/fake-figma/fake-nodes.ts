// Fake scene nodes for sandbox tests. Each class `implements Pick<RealNode, ...>` of the property
// names the sandbox touches, so a renamed or retyped Figma API breaks `npm run typecheck` here.
// Semantics follow the plugin docs where the sandbox depends on them: clone() lands on the page,
// insertChild() moves a node, remove() detaches it, absoluteTransform = parent's ∘ relativeTransform,
// a mask-less group disappears when emptied, layoutPositioning only exists in auto-layout frames,
// an instance and everything inside it refuse new children (the main component decides them).
import type { Affine } from '../../src/geometry/affine';
import { applyAffine, multiplyAffine } from '../../src/geometry/affine';

export type FakeParent = FakeContainer;

let nextId = 1;
export function resetFakeIds(): void {
  nextId = 1;
}

const IDENTITY: Transform = [
  [1, 0, 0],
  [0, 1, 0],
];

function copyTransform(t: Transform): Transform {
  return [[...t[0]], [...t[1]]] as Transform;
}

type CommonKeys =
  | 'id'
  | 'name'
  | 'visible'
  | 'removed'
  | 'remove'
  | 'x'
  | 'y'
  | 'width'
  | 'height'
  | 'relativeTransform'
  | 'absoluteTransform'
  | 'absoluteBoundingBox'
  | 'getPluginData'
  | 'setPluginData'
  | 'getRelaunchData'
  | 'setRelaunchData'
  | 'locked'
  | 'opacity'
  | 'blendMode';

abstract class FakeBaseNode implements Pick<RectangleNode, CommonKeys> {
  readonly id: string;
  name: string;
  visible = true;
  locked = false;
  opacity = 1;
  blendMode: BlendMode = 'PASS_THROUGH';
  width: number;
  height: number;
  relativeTransform: Transform = copyTransform(IDENTITY);
  parent: FakeParent | null = null;
  private removedFlag = false;
  pluginData: Record<string, string> = {};
  relaunchData: Record<string, string> = {};

  constructor(name: string, width: number, height: number) {
    this.id = `${nextId++}:1`;
    this.name = name;
    this.width = width;
    this.height = height;
  }

  get removed(): boolean {
    return this.removedFlag;
  }

  remove(): void {
    if (this.removedFlag) throw new Error(`node ${this.id} was already removed`);
    this.parent?.detach(this as unknown as FakeSceneNode);
    this.removedFlag = true;
  }

  get x(): number {
    return this.relativeTransform[0][2];
  }
  set x(value: number) {
    this.relativeTransform = [
      [this.relativeTransform[0][0], this.relativeTransform[0][1], value],
      [...this.relativeTransform[1]],
    ];
  }
  get y(): number {
    return this.relativeTransform[1][2];
  }
  set y(value: number) {
    this.relativeTransform = [
      [...this.relativeTransform[0]],
      [this.relativeTransform[1][0], this.relativeTransform[1][1], value],
    ];
  }

  get absoluteTransform(): Transform {
    const parentAbs: Affine = this.parent ? this.parent.absoluteTransform : IDENTITY;
    return multiplyAffine(parentAbs, this.relativeTransform) as Transform;
  }

  get absoluteBoundingBox(): Rect | null {
    const m = this.absoluteTransform;
    const corners = [
      { x: 0, y: 0 },
      { x: this.width, y: 0 },
      { x: this.width, y: this.height },
      { x: 0, y: this.height },
    ].map((p) => applyAffine(m, p));
    const xs = corners.map((p) => p.x);
    const ys = corners.map((p) => p.y);
    const x = Math.min(...xs);
    const y = Math.min(...ys);
    return { x, y, width: Math.max(...xs) - x, height: Math.max(...ys) - y };
  }

  getPluginData(key: string): string {
    return this.pluginData[key] ?? '';
  }
  setPluginData(key: string, value: string): void {
    this.pluginData[key] = value;
  }
  getRelaunchData(): { [command: string]: string } {
    return { ...this.relaunchData };
  }
  setRelaunchData(data: { [command: string]: string }): void {
    this.relaunchData = { ...data };
  }

  setTransform(t: Transform): this {
    this.relativeTransform = copyTransform(t);
    return this;
  }

  resize(width: number, height: number): void {
    // Figma's limit; a zero-size result would be a bug worth failing on.
    if (!(width >= 0.01 && height >= 0.01)) throw new Error(`resize: ${width}x${height} is below 0.01`);
    this.width = width;
    this.height = height;
  }

  /** What clone() copies for every node type. */
  protected copyCommonInto(copy: FakeBaseNode): void {
    copy.visible = this.visible;
    copy.locked = this.locked;
    copy.opacity = this.opacity;
    copy.blendMode = this.blendMode;
    copy.relativeTransform = copyTransform(this.relativeTransform);
    copy.pluginData = { ...this.pluginData };
    copy.relaunchData = { ...this.relaunchData };
  }
}

/** Paints, strokes, effects, mask and corners: what rectangles, frames, components and instances share. */
type PaintedKeys =
  | 'fills'
  | 'strokes'
  | 'effects'
  | 'strokeWeight'
  | 'isMask'
  | 'maskType'
  | 'cornerSmoothing'
  | 'topLeftRadius'
  | 'topRightRadius'
  | 'bottomLeftRadius'
  | 'bottomRightRadius'
  | 'resize';

abstract class FakePaintedNode extends FakeBaseNode implements Pick<RectangleNode, PaintedKeys> {
  fills: ReadonlyArray<Paint> | PluginAPI['mixed'] = [];
  strokes: ReadonlyArray<Paint> = [];
  effects: ReadonlyArray<Effect> = [];
  strokeWeight: number | PluginAPI['mixed'] = 1;
  isMask = false;
  maskType: MaskType = 'ALPHA';
  cornerSmoothing = 0;
  topLeftRadius = 0;
  topRightRadius = 0;
  bottomLeftRadius = 0;
  bottomRightRadius = 0;

  protected copyPaintedInto(to: FakePaintedNode): void {
    to.fills = typeof this.fills === 'symbol' ? this.fills : this.fills.map((p) => structuredClone(p));
    to.strokes = this.strokes.map((p) => structuredClone(p));
    to.effects = this.effects.map((e) => structuredClone(e));
    to.strokeWeight = this.strokeWeight;
    to.isMask = this.isMask;
    to.maskType = this.maskType;
    to.cornerSmoothing = this.cornerSmoothing;
    to.topLeftRadius = this.topLeftRadius;
    to.topRightRadius = this.topRightRadius;
    to.bottomLeftRadius = this.bottomLeftRadius;
    to.bottomRightRadius = this.bottomRightRadius;
  }
}

export type FakeShapeType = 'RECTANGLE' | 'ELLIPSE' | 'VECTOR' | 'LINE' | 'POLYGON' | 'STAR';

type ShapeKeys = PaintedKeys | 'layoutPositioning';

/** RECTANGLE, ELLIPSE, VECTOR and LINE nodes (image layers are rectangles with an IMAGE fill). */
export class FakeShapeNode extends FakePaintedNode implements Pick<RectangleNode, ShapeKeys> {
  readonly type: FakeShapeType;
  vectorPaths: VectorNode['vectorPaths'] = [];
  private positioning: RectangleNode['layoutPositioning'] = 'AUTO';

  constructor(
    private readonly doc: FakeDocument,
    type: FakeShapeType,
    name: string,
    width: number,
    height: number,
  ) {
    super(name, width, height);
    this.type = type;
  }

  get layoutPositioning(): RectangleNode['layoutPositioning'] {
    return this.positioning;
  }
  set layoutPositioning(value: RectangleNode['layoutPositioning']) {
    // Figma refuses this outside auto-layout frames; the fake does too, to catch a wrong guard.
    if (!this.parent || this.parent.layoutMode === 'NONE')
      throw new Error('layoutPositioning needs an auto-layout parent');
    this.positioning = value;
  }

  clone(): FakeShapeNode {
    const copy = new FakeShapeNode(this.doc, this.type, this.name, this.width, this.height);
    this.copyCommonInto(copy);
    this.copyPaintedInto(copy);
    copy.vectorPaths = this.vectorPaths.map((p) => ({ ...p }));
    // Documented: "By default, the duplicate's parent is figma.currentPage".
    this.doc.page.appendChild(copy);
    return copy;
  }
}

type ContainerKeys = 'children' | 'insertChild' | 'appendChild' | 'layoutMode';

export type FakeContainerType = 'PAGE' | 'FRAME' | 'GROUP' | 'COMPONENT' | 'INSTANCE';

/** PAGE, FRAME, GROUP, COMPONENT and INSTANCE. Frames, components and instances can carry an image fill. */
export class FakeContainer
  extends FakePaintedNode
  implements Pick<FrameNode, Exclude<ContainerKeys, 'children' | 'insertChild' | 'appendChild'> | PaintedKeys>
{
  readonly type: FakeContainerType;
  children: FakeSceneNode[] = [];
  layoutMode: FrameNode['layoutMode'] = 'NONE';
  selection: FakeSceneNode[] = [];
  layoutPositioning: RectangleNode['layoutPositioning'] = 'AUTO';

  constructor(type: FakeContainerType, name: string, width = 0, height = 0) {
    super(name, width, height);
    this.type = type;
  }

  /** This node is an instance or lies inside one: Figma takes its children from the main component. */
  get isInsideInstance(): boolean {
    for (let node: FakeContainer | null = this; node; node = node.parent) if (node.type === 'INSTANCE') return true;
    return false;
  }

  insertChild(index: number, child: FakeSceneNode): void {
    // Figma's wording; it throws the same way for any node inside an instance.
    if (this.isInsideInstance)
      throw new Error('Cannot move node. New parent is an instance or is inside of an instance');
    this.place(index, child);
  }

  appendChild(child: FakeSceneNode): void {
    this.insertChild(this.children.length, child);
  }

  /** Test setup only: builds an instance's content, which Figma copies from the main component. */
  adopt(child: FakeSceneNode): void {
    this.place(this.children.length, child);
  }

  private place(index: number, child: FakeSceneNode): void {
    if (child.parent) child.parent.detach(child);
    if (index < 0 || index > this.children.length) throw new Error(`insertChild index ${index} out of range`);
    this.children.splice(index, 0, child);
    child.parent = this;
  }

  /** Like Figma: the duplicate lands on the page and carries copies of every child. */
  clone(): FakeContainer {
    const copy = this.copyTree();
    let page: FakeContainer = this;
    while (page.parent) page = page.parent;
    page.adopt(copy);
    return copy;
  }

  private copyTree(): FakeContainer {
    const copy = new FakeContainer(this.type === 'PAGE' ? 'FRAME' : this.type, this.name, this.width, this.height);
    this.copyCommonInto(copy);
    this.copyPaintedInto(copy);
    copy.layoutMode = this.layoutMode;
    for (const child of this.children) {
      const childCopy = child instanceof FakeContainer ? child.copyTree() : child.clone();
      copy.adopt(childCopy);
    }
    return copy;
  }

  detach(child: FakeSceneNode): void {
    const i = this.children.indexOf(child);
    if (i >= 0) this.children.splice(i, 1);
    child.parent = null;
    // Figma deletes a group once its last child leaves.
    if (this.type === 'GROUP' && this.children.length === 0 && !this.removed) this.remove();
  }

  getPluginDataKeys(): string[] {
    return Object.keys(this.pluginData);
  }
}

export type FakeSceneNode = FakeShapeNode | FakeContainer;

export class FakeDocument {
  readonly page = new FakeContainer('PAGE', 'Page 1');

  find(id: string): FakeSceneNode | null {
    const walk = (node: FakeSceneNode): FakeSceneNode | null => {
      if (node.id === id) return node;
      if (node instanceof FakeContainer) {
        for (const child of node.children) {
          const hit = walk(child);
          if (hit) return hit;
        }
      }
      return null;
    };
    return walk(this.page);
  }
}
