// The prompts drawn over the photo in the panel (rendered as preact VNodes, no DOM needed): a
// "not this" click must not look like a click on the object.
import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import type { Prompt } from '../core/prompt-types';
import { PromptOverlay } from '../ui/prompt-overlay';

type Drawn = { type: string; props: Record<string, unknown> };

/** Every element under the overlay's <svg>, depth first, with its props; components are rendered. */
function elements(node: unknown): Drawn[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== 'object') return [];
  const vnode = node as VNode<Record<string, unknown>>;
  if (typeof vnode.type === 'function') return elements((vnode.type as (p: unknown) => unknown)(vnode.props));
  if (typeof vnode.type !== 'string') return [];
  return [{ type: vnode.type, props: vnode.props }, ...elements(vnode.props?.children)];
}

const draw = (prompts: Prompt[]) =>
  elements(PromptOverlay({ prompts, width: 800, height: 400, pointRadiusFraction: 1 / 80 })).slice(1);

describe('prompt overlay', () => {
  it('a click is a dot at the radius the model sees', () => {
    expect(draw([{ kind: 'point', x: 100, y: 50 }]).map((e) => [e.type, e.props.class, e.props.r])).toEqual([
      ['circle', 'prompt-point', 10],
    ]);
  });

  it('a "not this" click is a red dot with a minus bar across it, titled "not this"', () => {
    const drawn = draw([{ kind: 'point', x: 100, y: 50, negative: true }]);
    expect(drawn.map((e) => [e.type, e.props.class])).toEqual([
      ['g', 'prompt-not-this'],
      ['title', undefined],
      ['circle', undefined],
      ['line', undefined],
    ]);
    expect(drawn[1].props.children).toBe('not this');
    expect(drawn[2].props).toMatchObject({ cx: 100, cy: 50, r: 10 });
    // The bar is horizontal, centred on the click and inside the dot.
    const { x1, x2, y1, y2 } = drawn[3].props as Record<string, number>;
    expect([y1, y2]).toEqual([50, 50]);
    expect((x1 + x2) / 2).toBe(100);
    expect(x2 - x1).toBeGreaterThan(0);
    expect(x2 - x1).toBeLessThan(20);
  });

  it('boxes and strokes are drawn as before, next to "not this" clicks', () => {
    const drawn = draw([
      { kind: 'box', x: 10, y: 10, width: 100, height: 50 },
      { kind: 'point', x: 100, y: 50, negative: true },
      {
        kind: 'scribble',
        points: [
          { x: 0, y: 0 },
          { x: 10, y: 10 },
        ],
        width: 4,
      },
    ]);
    expect(drawn.map((e) => e.props.class).filter(Boolean)).toEqual([
      'prompt-box',
      'prompt-not-this',
      'prompt-scribble',
    ]);
  });
});
