// npm run bench:figma -- [--runs 3] [--dist DIR] [--json bench/figma-path.json] [--no-docs] [--skip-peers]
//   The plugin as users meet it, in the Figma-faithful harness (bench/figma-plugin-session.ts): cold start, a new
//   photo and a moved box (coarse matte, then matte on screen), Apply: medians over --runs sessions; IS-Net and SAM
//   on WASM on the same photo. Writes --json, and its table into bench/RESULTS.md and README.md unless --no-docs.
import fs from 'node:fs';
import { headerComment } from './header-comment';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { errorMessage } from '../core/errors';
import { codeHasModel, dataDir, ensureBuilt, root } from '../test/e2e/harness';
import { loadPhoto } from '../test/e2e/photo-nodes';
import { CHROMIUM, CHROMIUM_ARGS } from '../tools/headless-chromium';
import { parseFigmaBenchArgs } from './figma-path-args';
import { FIGMA_PATH_SECTION, figmaPathMarkdown } from './figma-path-report';
import { summarise } from './figma-path-result';
import { measureSession, type SessionTimes } from './figma-plugin-session';
import { replaceMarkedSection } from './markdown-section';
import { measureWasmPeers } from './wasm-peers-on-photo';

const PHOTO_SIZE = 1000;

function readBuild(dist: string | null): { code: string; html: string; label: string } {
  const dir = dist ? path.resolve(dist) : path.dirname(ensureBuilt());
  const codePath = path.join(dir, 'code.js');
  if (!codeHasModel(codePath)) throw new Error(`${codePath} carries no model: build it with the models in models/`);
  return {
    code: fs.readFileSync(codePath, 'utf8'),
    html: fs.readFileSync(path.join(dir, 'ui.html'), 'utf8'),
    label: path.relative(root, dir) || '.',
  };
}

function writeSection(file: string, body: string): void {
  fs.writeFileSync(file, replaceMarkedSection(fs.readFileSync(file, 'utf8'), FIGMA_PATH_SECTION, body));
}

async function main(): Promise<void> {
  const args = parseFigmaBenchArgs(process.argv.slice(2), () => headerComment(import.meta.url));
  const loadAtStart = os.loadavg();
  const build = readBuild(args.dist);
  const a = loadPhoto(path.join(dataDir, 'examples/astronaut.png'), PHOTO_SIZE);
  const photosOf = (names: string[]) => names.map((p) => loadPhoto(path.join(dataDir, p), PHOTO_SIZE));
  const others = photosOf(['ecssd-val/images/0023.jpg', 'ecssd-val/images/0042.jpg']);
  const prepared = photosOf(['ecssd-val/images/0050.jpg', 'ecssd-val/images/0084.jpg']);
  console.log(
    `bench:figma: ${build.label}, ${args.runs} sessions, load ${loadAtStart.map((x) => x.toFixed(2)).join(' ')}`,
  );

  const sessions: SessionTimes[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  try {
    for (let k = 0; k < args.runs; k++) {
      const s = await measureSession(browser, build, { a, others, prepared });
      sessions.push(s);
      const ms = (xs: { ms: number }[]) => xs.map((x) => x.ms.toFixed(0)).join('/');
      console.log(
        `  session ${k + 1}: cold ${ms([s.cold])} ms (${JSON.stringify(s.coldParts, (_k, v) => (typeof v === 'number' ? Math.round(v) : v))}), ` +
          `warm ${ms(s.warm)} (coarse ${ms(s.warmPreview)}), prepared ${ms(s.prepared)} (coarse ${ms(s.preparedPreview)}), re-prompt ${ms(s.reprompt)} (coarse ${ms(s.repromptPreview)}), ` +
          `apply ${ms(s.apply)} ms; load ${s.cold.load1.toFixed(2)}`,
      );
    }
  } finally {
    await browser.close();
  }

  const box = { kind: 'box' as const, x: 200, y: 150, width: 600, height: 700 };
  const peers = args.skipPeers ? null : await measureWasmPeers(a.image, box, args.runs, console.log);
  const result = summarise({ build: build.label, photo: `${PHOTO_SIZE}×${PHOTO_SIZE}`, sessions, peers, loadAtStart });
  fs.writeFileSync(args.json, `${JSON.stringify(result, null, 1)}\n`);
  const table = figmaPathMarkdown(result);
  if (!args.noDocs) {
    writeSection(path.join(root, 'bench/RESULTS.md'), `## Figma plugin path (\`npm run bench:figma\`)\n\n${table}`);
    writeSection(path.join(root, 'README.md'), table);
  }
  console.log(`\nbench:figma: wrote ${args.json}${args.noDocs ? '' : ', bench/RESULTS.md and README.md'}\n\n${table}`);
}

main().catch((err) => {
  console.error(`bench:figma: ${errorMessage(err)}`);
  process.exit(1);
});
