// A fake of the slice of PluginAPI the sandbox uses (src/figma-api.ts), typed against the real
// typings: `implements SandboxApi` fails to compile if Figma renames or retypes any of it.
import type { SandboxApi } from '../../src/figma-api';
import { applyAffine, invertAffine, multiplyAffine } from '../../src/geometry/affine';
import { readPngSize } from '../../src/images/read-png-size';
import {
  FakeContainer,
  FakeDocument,
  FakeShapeNode,
  type FakeContainerType,
  type FakeSceneNode,
  type FakeShapeType,
} from './fake-nodes';

interface StoredImage {
  bytes: Uint8Array;
  width: number;
  height: number;
  /** getBytesAsync rejects with this (Figma fetches image data lazily; offline it fails). */
  downloadError?: string;
}

/** Real nodes and fakes meet here: the sandbox is typed against SceneNode, the tests hold fakes. */
export function asScene(node: FakeSceneNode): SceneNode {
  return node as unknown as SceneNode;
}

export class FakeFigma implements SandboxApi {
  readonly doc = new FakeDocument();
  readonly posted: unknown[] = [];
  /** The hashes of the images whose bytes the plugin read, in order. */
  readonly bytesRead: string[] = [];
  readonly notifications: Array<{ message: string; options?: NotificationOptions }> = [];
  undoCommits = 0;
  closed = false;
  private images = new Map<string, StoredImage>();
  private nextHash = 1;

  readonly ui: SandboxApi['ui'] = {
    postMessage: (message: unknown) => {
      this.posted.push(message);
    },
  };

  get currentPage(): SandboxApi['currentPage'] {
    const page = this.doc.page;
    return {
      get selection() {
        return page.selection.map(asScene);
      },
      set selection(nodes: ReadonlyArray<SceneNode>) {
        page.selection = nodes as unknown as FakeSceneNode[];
      },
    };
  }

  // ---- PluginAPI subset ----

  notify(message: string, options?: NotificationOptions): NotificationHandler {
    this.notifications.push({ message, options });
    return { cancel: () => {} };
  }

  commitUndo(): void {
    this.undoCommits++;
  }

  createImage(data: Uint8Array): Image {
    const size = readPngSize(data);
    // The fake takes PNGs only: that is all the sandbox ever writes.
    if (!size) throw new Error('Image type is unsupported');
    if (size.width > 4096 || size.height > 4096) throw new Error('Image is too large');
    return this.storeImage(data, size.width, size.height);
  }

  getImageByHash(hash: string): Image | null {
    return this.images.has(hash) ? this.imageObject(hash) : null;
  }

  async getNodeByIdAsync(id: string): Promise<BaseNode | null> {
    return this.doc.find(id) as unknown as BaseNode | null;
  }

  createRectangle(): RectangleNode {
    // Documented: new nodes are appended to figma.currentPage, 100 x 100, with a grey SOLID fill.
    const node = new FakeShapeNode(this.doc, 'RECTANGLE', 'Rectangle', 100, 100);
    node.fills = [{ type: 'SOLID', color: { r: 0.85, g: 0.85, b: 0.85 } }];
    this.doc.page.appendChild(node);
    return node as unknown as RectangleNode;
  }

  group(nodes: ReadonlyArray<BaseNode>, parent: BaseNode & ChildrenMixin, index?: number): GroupNode {
    const fakes = nodes as unknown as FakeSceneNode[];
    const into = parent as unknown as FakeContainer;
    if (fakes.length === 0) throw new Error('Cannot group zero nodes');
    if (into.isInsideInstance) throw new Error('Cannot group nodes inside of an instance');
    const group = new FakeContainer('GROUP', 'Group');
    // Like Figma: the group sits at its children's bounds (in the parent's space) and the children
    // keep their place on the page. Document order is kept.
    const ordered = [...fakes].sort((a, b) => documentOrder(a) - documentOrder(b));
    const absolute = ordered.map((node) => node.absoluteTransform);
    const parentInverse = invertAffine(into.absoluteTransform);
    const corners = ordered.flatMap((node) => {
      const toParent = multiplyAffine(parentInverse, node.absoluteTransform);
      return [
        { x: 0, y: 0 },
        { x: node.width, y: 0 },
        { x: node.width, y: node.height },
        { x: 0, y: node.height },
      ].map((p) => applyAffine(toParent, p));
    });
    const minX = Math.min(...corners.map((p) => p.x));
    const minY = Math.min(...corners.map((p) => p.y));
    group.width = Math.max(...corners.map((p) => p.x)) - minX;
    group.height = Math.max(...corners.map((p) => p.y)) - minY;
    into.insertChild(index ?? into.children.length, group);
    group.x = minX;
    group.y = minY;
    const groupInverse = invertAffine(group.absoluteTransform);
    ordered.forEach((node, i) => {
      group.appendChild(node);
      node.relativeTransform = multiplyAffine(groupInverse, absolute[i]) as Transform;
    });
    return group as unknown as GroupNode;
  }

  // ---- test helpers ----

  storeImage(bytes: Uint8Array, width: number, height: number, downloadError?: string): Image {
    const hash = `hash-${this.nextHash++}`;
    this.images.set(hash, { bytes, width, height, downloadError });
    return this.imageObject(hash);
  }

  imageBytes(hash: string): Uint8Array | undefined {
    return this.images.get(hash)?.bytes;
  }

  // Builders use adopt(): a test may build the content of an instance, which Figma takes from the
  // main component and a plugin could not insert.
  shape(
    type: FakeShapeType,
    name: string,
    width: number,
    height: number,
    parent: FakeContainer = this.doc.page,
  ): FakeShapeNode {
    const node = new FakeShapeNode(this.doc, type, name, width, height);
    parent.adopt(node);
    return node;
  }

  frame(
    name: string,
    width: number,
    height: number,
    parent: FakeContainer = this.doc.page,
    type: Exclude<FakeContainerType, 'PAGE' | 'GROUP'> = 'FRAME',
  ): FakeContainer {
    const node = new FakeContainer(type, name, width, height);
    parent.adopt(node);
    return node;
  }

  select(...nodes: FakeSceneNode[]): void {
    this.doc.page.selection = nodes;
  }

  private imageObject(hash: string): Image {
    const stored = this.images.get(hash)!;
    return {
      hash,
      getBytesAsync: async () => {
        this.bytesRead.push(hash);
        if (stored.downloadError !== undefined) throw new Error(stored.downloadError);
        return stored.bytes;
      },
      getSizeAsync: async () => ({ width: stored.width, height: stored.height }),
    };
  }
}

function documentOrder(node: FakeSceneNode): number {
  const path: number[] = [];
  let current: FakeSceneNode = node;
  while (current.parent) {
    path.unshift(current.parent.children.indexOf(current));
    current = current.parent;
  }
  return path.reduce((acc, i) => acc * 1000 + i, 0);
}
