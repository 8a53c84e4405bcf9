// The README's picture of the playground (docs/playground.png):
//   npm run screenshot [-- out.png]
// The playground page at 1280x1000 in headless Chromium, offline, running the real model on WASM:
// examples/astronaut.png scaled to 1000x1000, an automatic matte applied (the page's "Applied
// result"), then a box prompt run on the same image and left in review in the panel. Builds dist/
// first when it is stale, like the e2e test (SMAT_E2E_NO_BUILD=1 takes dist/ as it is).
// Only the public-domain example is shown: the ECSSD photos the e2e test also uses are not
// redistributed.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { decodeImage, encodePng } from '../core/image-codecs';
import type { BoxPrompt } from '../core/prompt-types';
import {
  codeHasModel,
  codePath,
  ensureBuilt,
  findExample,
  openPlayground,
  pluginFrame,
  root,
  waitForModel,
} from '../test/e2e/harness';
import { press, resizeTo, waitForReview } from '../test/e2e/panel-actions';

const VIEWPORT = { width: 1280, height: 1000 };
const PHOTO_SIDE = 1000;
const BOX: BoxPrompt = { kind: 'box', x: 120, y: 40, width: 760, height: 960 };

const outPath = resolve(process.argv[2] ?? resolve(root, 'docs/playground.png'));

async function main(): Promise<void> {
  const photo = findExample('astronaut.png');
  if (!photo) throw new Error('examples/astronaut.png is missing');
  const uiPath = ensureBuilt();
  if (!codeHasModel(codePath)) throw new Error('dist/code.js carries no model: export it to models/ and build');
  const png = encodePng(resizeTo(decodeImage(new Uint8Array(readFileSync(photo))), PHOTO_SIDE, PHOTO_SIDE));

  const session = await openPlayground(uiPath, VIEWPORT);
  try {
    const frame = await pluginFrame(session.page);
    const status = await waitForModel(frame, 300_000);
    if (status !== 'ready') throw new Error(`the model did not load: ${await frame.textContent('body')}`);

    const autoJob = await session.page.evaluate(async (base64) => {
      const pg = window.playground;
      await pg.addImage(
        'astronaut-1000.png',
        Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)),
      );
      return pg.sendJob('auto');
    }, Buffer.from(png).toString('base64'));
    await waitForReview(frame);
    await press(frame, 'apply');
    await session.page.evaluate(
      (jobId) =>
        window.playground
          .waitFor((e) => e.dir === 'ui→' && e.msg.type === 'apply' && e.msg.jobId === jobId)
          .then(() => {}),
      autoJob,
    );

    await session.page.evaluate((box) => {
      window.playground.setPrompts([box]);
      window.playground.sendJob('prompts');
    }, BOX);
    await waitForReview(frame);

    mkdirSync(dirname(outPath), { recursive: true });
    await session.page.screenshot({ path: outPath });
    console.log(`wrote ${outPath} (${VIEWPORT.width}x${VIEWPORT.height})`);
  } finally {
    await session.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
