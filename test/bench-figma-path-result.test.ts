import { describe, expect, it } from 'vitest';
import type { SessionTimes } from '../bench/figma-plugin-session';
import { summarise } from '../bench/figma-path-result';
import { figmaPathMarkdown } from '../bench/figma-path-report';

const at = (...ms: number[]) => ms.map((x) => ({ ms: x, load1: 2 }));

function session(k: number): SessionTimes {
  return {
    cold: at(40_000 + k)[0],
    coldParts: {
      codeJsMs: 2000,
      modelReadyMs: 20_000,
      graphsInMs: 14_000,
      allSessionsMs: 16_000,
      encoderInMs: 3000,
      encoderSessionMs: 4000,
      relayMs: 9000,
      readyToScreenMs: 20_000,
    },
    warm: at(9000 + k, 9100 + k),
    prepared: at(2000 + k, 2200 + k),
    reprompt: at(3000 + k, 3100 + k),
    warmPreview: at(7000 + k, 7100 + k),
    preparedPreview: at(900 + k, 1000 + k),
    repromptPreview: at(400 + k, 500 + k),
    apply: at(1300),
    applyStages: [{ png: 0, toSandboxAndWrite: 600 }],
    warmStages: [{ encoder: 4000, head: 1000, post: 1800, jobSent: 700, modelStart: 300, previewMade: 5400 }],
    preparedStages: [{ encoder: 0, head: 1000, post: 300, jobSent: 60, modelStart: 10, previewMade: 800 }],
    repromptStages: [{ head: 1000, post: 1800, jobSent: 40, relay: 20, modelStart: 20, previewMade: 1050 }],
    backend: 'WASM (CPU)',
  };
}

describe('npm run bench:figma results', () => {
  it('gives the coarse matte on screen for the warm and re-prompt jobs next to the matte, with their samples', () => {
    const r = summarise({
      build: 'dist',
      photo: '1000×1000',
      sessions: [session(0), session(10)],
      peers: null,
      loadAtStart: [1, 1, 1],
    });
    expect([r.warmMs, r.warmPreviewMs, r.repromptMs, r.repromptPreviewMs]).toEqual([9055, 7055, 3055, 455]);
    expect(r.samples.repromptPreviewMs.map((s) => s.ms)).toEqual([400, 500, 410, 510]);
    expect(r.repromptStages).toMatchObject({ head: 1000, modelStart: 20, previewMade: 1050 });
    expect([r.preparedMs, r.preparedPreviewMs]).toEqual([2105, 955]);

    const table = figmaPathMarkdown(r);
    expect(table).toContain(
      '| New photo, model loaded: panel button pressed as it is selected → coarse matte on screen | 7.1 s | 4 | 2.0–2.0 |  |',
    );
    expect(table).toContain(
      '| A box moved on the same photo: panel button → coarse matte on screen | 0.5 s | 4 | 2.0–2.0 |  |',
    );
    expect(table).toContain(
      '| New photo, panel button pressed 1.0 s after selecting it → matte on screen | 2.1 s | 4 | 2.0–2.0 | the panel encoded the photo as it was selected; panel: encoder 0.0 s, head 1.0 s, upsample and clean-up 0.3 s; job sent at 0.1 s; panel trace: model started at 0.0 s, coarse matte made at 0.8 s |',
    );
    expect(table).toContain(
      '| New photo, panel button pressed 1.0 s after selecting it → coarse matte on screen | 1.0 s | 4 | 2.0–2.0 |  |',
    );
    expect(table).toContain(
      "panel: head 1.0 s, upsample and clean-up 1.8 s; job sent at 0.0 s; the harness's relay 0.0 s; panel trace: model started at 0.0 s, coarse matte made at 1.1 s",
    );
    expect(table).toContain(
      "command → model ready 20.0 s (the encoder's session; 9.0 s of it in the harness's relay of the sandbox's messages); model ready → matte on screen 20.0 s; from the panel's asking for the model, the encoder's graph was in after 3.0 s and its session made after 4.0 s, its graphs were all in after 14.0 s and every session made after 16.0 s",
    );
    expect(table).toContain(
      'PNG ready 0.0 s after the click (started in a worker when the matte was made), bytes to the sandbox and the write 0.6 s',
    );
    // Peers skipped: no rows for them.
    expect(table).not.toContain('IS-Net');
  });
});
