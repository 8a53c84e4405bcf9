// The panel's list of prompt layers, rendered as preact VNodes (no DOM needed): one checkbox per
// layer, ticked unless excluded, usable only on a result under review, and wired to the controller.
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import type { JobMessage } from '../core/messages';
import { PromptLayerList, describePrompts } from '../ui/prompt-layer-list';
import { jobView, type JobView } from '../ui/state';

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
  prompts: [
    { kind: 'box', x: 0, y: 0, width: 5, height: 5 },
    { kind: 'point', x: 1, y: 1 },
    { kind: 'point', x: 2, y: 2 },
  ],
  promptLayers: [
    { id: '5:1', name: 'Box', prompts: [{ kind: 'box', x: 0, y: 0, width: 5, height: 5 }] },
    {
      id: '6:1',
      name: 'Dots',
      prompts: [
        { kind: 'point', x: 1, y: 1 },
        { kind: 'point', x: 2, y: 2 },
      ],
    },
  ],
  unusedLayers: [],
};

function checkboxes(node: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap(checkboxes);
  if (!node || typeof node !== 'object') return [];
  const vnode = node as VNode<Record<string, unknown>>;
  const own = vnode.type === 'input' ? [vnode.props] : [];
  return [...own, ...checkboxes(vnode.props?.children)];
}

function render(job: JobView) {
  const toggled: string[] = [];
  const tree = PromptLayerList({ job, onToggle: (id) => toggled.push(id) });
  return { boxes: checkboxes(tree), toggled };
}

describe('prompt layer list', () => {
  it('one ticked checkbox per layer; unticking calls back with the layer id', () => {
    const { boxes, toggled } = render({ ...jobView(message, true), phase: 'review' });
    expect(boxes.map((b) => [b['data-testid'], b.checked, b.disabled])).toEqual([
      ['prompt-layer-5:1', true, false],
      ['prompt-layer-6:1', true, false],
    ]);
    (boxes[1].onChange as () => void)();
    expect(toggled).toEqual(['6:1']);
  });

  it('an excluded layer is unticked; nothing can be toggled while the model runs', () => {
    expect(
      render({ ...jobView(message, true), phase: 'review', excluded: ['5:1'] }).boxes.map((b) => b.checked),
    ).toEqual([false, true]);
    expect(render({ ...jobView(message, true), phase: 'matting' }).boxes.every((b) => b.disabled === true)).toBe(true);
  });

  it('names what each layer gave', () => {
    expect(message.promptLayers.map((l) => describePrompts(l.prompts))).toEqual(['box', '2 dots']);
  });

  it('marks a layer of "not this" clicks, in words and as a row', () => {
    const notThis = { kind: 'point' as const, x: 3, y: 3, negative: true };
    expect(describePrompts([notThis])).toBe('"not this" dot');
    expect(describePrompts([notThis, notThis])).toBe('2 "not this" dots');
    expect(describePrompts([{ kind: 'point', x: 1, y: 1 }, notThis])).toBe('dot, "not this" dot');
    const layers = [...message.promptLayers, { id: '7:1', name: '- sky', prompts: [notThis] }];
    const tree = PromptLayerList({
      job: jobView({ ...message, promptLayers: layers }, true),
      onToggle: () => {},
    });
    expect(rows(tree).map((row) => [row.title, row.class, text(row.children)])).toEqual([
      ['Box', undefined, 'Boxbox'],
      ['Dots', undefined, 'Dots2 dots'],
      ['- sky', 'negative', '- sky"not this" dot'],
    ]);
  });
});

/** The props of every <label> under a VNode, in order. */
function rows(node: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(node)) return node.flatMap(rows);
  if (!node || typeof node !== 'object') return [];
  const vnode = node as VNode<Record<string, unknown>>;
  const own = vnode.type === 'label' ? [vnode.props] : [];
  return [...own, ...rows(vnode.props?.children)];
}

/** All text under a VNode, in order. */
function text(node: unknown): string {
  if (typeof node === 'string' || typeof node === 'number') return String(node);
  if (Array.isArray(node)) return node.map(text).join('');
  if (!node || typeof node !== 'object') return '';
  return text((node as VNode<{ children?: unknown }>).props?.children);
}
