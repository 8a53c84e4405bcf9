// The panel names every shape the sandbox did not use as a prompt, with the reason it gave
// (rendered as preact VNodes, no DOM needed).
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import type { JobMessage, UnusedLayer } from '../core/messages';
import type { Controller } from '../ui/controller';
import { JobReview } from '../ui/job-review';
import { initialState, jobView } from '../ui/state';
import { UnusedLayerList } from '../ui/unused-layer-list';

const unusedLayers: UnusedLayer[] = [
  { id: '7:1', name: 'Far dot', reason: 'outside-image', why: 'lies outside the picture' },
  {
    id: '8:1',
    name: 'Logo',
    reason: 'in-locked-layer',
    why: 'is inside the locked "Header" (unlock it to use this shape)',
  },
];

const message: JobMessage = {
  type: 'job',
  jobId: 'j',
  mode: 'prompts',
  index: 0,
  count: 1,
  nodeId: '1:1',
  nodeName: 'Photo',
  imageHash: 'h',
  imageBytes: new Uint8Array(0),
  width: 10,
  height: 10,
  prompts: [{ kind: 'box', x: 0, y: 0, width: 5, height: 5 }],
  promptLayers: [{ id: '5:1', name: 'Box', prompts: [{ kind: 'box', x: 0, y: 0, width: 5, height: 5 }] }],
  unusedLayers,
};

/** All text under a VNode, in order. */
function text(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(text).join('');
  if (!node || typeof node !== 'object') return '';
  return text((node as VNode<{ children?: unknown }>).props?.children);
}

function findByType(node: unknown, type: unknown): VNode<Record<string, unknown>> | null {
  if (Array.isArray(node)) {
    for (const child of node) {
      const hit = findByType(child, type);
      if (hit) return hit;
    }
    return null;
  }
  if (!node || typeof node !== 'object') return null;
  const vnode = node as VNode<Record<string, unknown>>;
  return vnode.type === type ? vnode : findByType(vnode.props?.children, type);
}

describe('unused layer list', () => {
  it('the job keeps the layers the sandbox did not use', () => {
    expect(jobView(message, true).unusedLayers).toEqual(unusedLayers);
    // A host that lists none (the playground) gives an empty list, not a crash.
    const { unusedLayers: _, ...older } = message;
    expect(jobView(older as JobMessage, true).unusedLayers).toEqual([]);
  });

  it('names each layer with the reason', () => {
    const tree = UnusedLayerList({ layers: unusedLayers });
    expect(text(tree)).toContain('Far dot lies outside the picture');
    expect(text(tree)).toContain('Logo is inside the locked "Header" (unlock it to use this shape)');
  });

  it('the job on screen shows the list, and only when there is something to name', () => {
    const ctrl = {
      display: { source: null, cutout: null, mask: null, version: 0 },
      modelConfig: null,
    } as unknown as Controller;
    const job = { ...jobView(message, true), phase: 'review' as const };
    const shown = findByType(JobReview({ ctrl, state: { ...initialState, job }, job }), UnusedLayerList);
    expect(shown?.props.layers).toEqual(unusedLayers);
    const none = { ...job, unusedLayers: [] };
    expect(
      findByType(JobReview({ ctrl, state: { ...initialState, job: none }, job: none }), UnusedLayerList),
    ).toBeNull();
  });
});
