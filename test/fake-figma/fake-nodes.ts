// Fake scene nodes for sandbox tests. Each class `implements Pick<RealNode, ...>` of the property
// names the sandbox touches, so a renamed or retyped Figma API breaks `npm run typecheck` here.
// Semantics follow the plugin docs where the sandbox depends on them: clone() lands on the page,
// insertChild() moves a node, remove() detaches it, absoluteTransform = parent's ∘ relativeTransform,
// a mask-less group disappears when emptied, layoutPositioning only exists in auto-layout frames.
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
  | 'setRelaunchData';

abstract class FakeBaseNode implements Pick<RectangleNode, CommonKeys> {
  readonly id: string;
  name: string;
  visible = true;
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
}

export type FakeShapeType = 'RECTANGLE' | 'ELLIPSE' | 'VECTOR' | 'LINE' | 'POLYGON' | 'STAR';

type ShapeKeys = 'fills' | 'strokeWeight' | 'isMask' | 'maskType' | 'layoutPositioning';

/** RECTANGLE, ELLIPSE, VECTOR and LINE nodes (image layers are rectangles with an IMAGE fill). */
export class FakeShapeNode extends FakeBaseNode implements Pick<RectangleNode, ShapeKeys> {
  readonly type: FakeShapeType;
  fills: ReadonlyArray<Paint> | PluginAPI['mixed'] = [];
  strokeWeight: number | PluginAPI['mixed'] = 1;
  isMask = false;
  maskType: MaskType = 'ALPHA';
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
    if (!this.parent || this.parent.layoutMode === 'NONE') throw new Error('layoutPositioning needs an auto-layout parent');
    this.positioning = value;
  }

  clone(): FakeShapeNode {
    const copy = new FakeShapeNode(this.doc, this.type, this.name, this.width, this.height);
    copy.visible = this.visible;
    copy.fills = typeof this.fills === 'symbol' ? this.fills : this.fills.map((p) => structuredClone(p));
    copy.strokeWeight = this.strokeWeight;
    copy.isMask = this.isMask;
    copy.maskType = this.maskType;
    copy.vectorPaths = this.vectorPaths.map((p) => ({ ...p }));
    copy.relativeTransform = copyTransform(this.relativeTransform);
    copy.pluginData = { ...this.pluginData };
    copy.relaunchData = { ...this.relaunchData };
    // Documented: "By default, the duplicate's parent is figma.currentPage".
    this.doc.page.appendChild(copy);
    return copy;
  }
}

type ContainerKeys = 'children' | 'insertChild' | 'appendChild' | 'layoutMode';

/** PAGE, FRAME and GROUP. */
export class FakeContainer extends FakeBaseNode implements Pick<FrameNode, Exclude<ContainerKeys, 'children' | 'insertChild' | 'appendChild'>> {
  readonly type: 'PAGE' | 'FRAME' | 'GROUP';
  children: FakeSceneNode[] = [];
  layoutMode: FrameNode['layoutMode'] = 'NONE';
  selection: FakeSceneNode[] = [];
  layoutPositioning: RectangleNode['layoutPositioning'] = 'AUTO';

  constructor(type: 'PAGE' | 'FRAME' | 'GROUP', name: string, width = 0, height = 0) {
    super(name, width, height);
    this.type = type;
  }

  insertChild(index: number, child: FakeSceneNode): void {
    if (child.parent) child.parent.detach(child);
    if (index < 0 || index > this.children.length) throw new Error(`insertChild index ${index} out of range`);
    this.children.splice(index, 0, child);
    child.parent = this;
  }

  appendChild(child: FakeSceneNode): void {
    this.insertChild(this.children.length, child);
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
