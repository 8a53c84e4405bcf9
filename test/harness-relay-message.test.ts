// The Figma-faithful harness's relay format (test/e2e/figma-ui-host-page.ts): the page's own copy
// of it is exercised by the e2e tests, this side here.
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './e2e/figma-ui-host-page';

describe("the harness's relay of plugin messages", () => {
  it('carries byte arrays as bytes, wherever they sit, and the rest as JSON', () => {
    const photo = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7) % 256);
    const message = {
      type: 'job',
      imageBytes: photo,
      prompts: [{ kind: 'box', x: 1.5, y: 2, w: 3, h: 4 }],
      pieces: [new Uint8Array(0), new Uint8Array([255])],
      nodeName: 'Ünïcode “photo”',
      heldImageHash: null,
    };
    const body = encodeMessage(message);
    expect(body.length).toBeLessThan(photo.length + 400);
    expect(decodeMessage(body)).toEqual(message);
  });
});
