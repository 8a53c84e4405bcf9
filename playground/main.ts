// The Figma sandbox's part, played in a normal web page around the real dist/ui.html
// (playground/server.mjs serves both). Messages follow Figma: the UI receives
// `event.data.pluginMessage`, and sends `parent.postMessage({pluginMessage}, '*')`.
import type { SandboxToUi, UiToSandbox } from '../core/messages';
import { Gallery } from './gallery';
import { MessageLog } from './message-log';
import { pageElement } from './page-element';
import type { PlaygroundApi } from './playground-api';
import { loadPlaygroundImage, type PlaygroundImage } from './playground-image';
import { loadPluginUi } from './plugin-frame';
import { loadPointRadiusFraction } from './point-radius';
import { PromptCanvas, type PromptTool } from './prompt-canvas';
import { showAppliedResult } from './result-view';
import { SandboxStandIn } from './sandbox-stand-in';

const iframe = pageElement('plugin', HTMLIFrameElement);
const log = new MessageLog(pageElement('log', HTMLElement));

const gallery = new Gallery(pageElement('thumbs', HTMLElement), () => {
  pageElement('drop-hint', HTMLElement).hidden = true;
  canvas.draw();
});

const canvas = new PromptCanvas({
  stage: pageElement('stage', HTMLCanvasElement),
  image: () => gallery.current,
  tool: () => (document.querySelector<HTMLInputElement>('input[name=tool]:checked')?.value ?? 'box') as PromptTool,
  brushWidth: () => Number(pageElement('brush', HTMLInputElement).value) || 12,
});

function send(msg: SandboxToUi): void {
  log.record({ dir: '→ui', msg });
  iframe.contentWindow?.postMessage({ pluginMessage: msg }, '*');
}

const sandbox = new SandboxStandIn({
  send,
  imagesForRun: () => gallery.imagesForRun(),
  showResult: showAppliedResult,
  nodeIdOf: (img) => `node-${gallery.images.indexOf(img) + 1}`,
});

window.addEventListener('message', (event) => {
  if (event.source !== iframe.contentWindow) return;
  const msg: unknown = event.data?.pluginMessage;
  if (!msg || typeof msg !== 'object' || typeof (msg as { type?: unknown }).type !== 'string') return;
  // Logged as it came, before the check: a malformed message is what one wants to see here.
  log.record({ dir: 'ui→', msg: msg as UiToSandbox });
  sandbox.receive(msg);
});

async function addImage(name: string, bytes: Uint8Array | ArrayBuffer): Promise<PlaygroundImage> {
  const image = await loadPlaygroundImage(name, bytes);
  gallery.add(image);
  return image;
}

async function loadExample(name: string): Promise<PlaygroundImage> {
  const res = await fetch(`/examples/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`example ${name}: HTTP ${res.status}`);
  return addImage(name, new Uint8Array(await res.arrayBuffer()));
}

// ---------------------------------------------------------------- page controls
pageElement('clear', HTMLButtonElement).onclick = () => {
  if (gallery.current) gallery.current.prompts = [];
  canvas.draw();
};

pageElement('file', HTMLInputElement).addEventListener('change', async (ev) => {
  for (const f of (ev.target as HTMLInputElement).files ?? [])
    await addImage(f.name, new Uint8Array(await f.arrayBuffer()));
});

const drop = pageElement('drop', HTMLElement);
drop.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  for (const f of ev.dataTransfer?.files ?? []) {
    if (/^image\/(png|jpeg)$/.test(f.type)) await addImage(f.name, new Uint8Array(await f.arrayBuffer()));
  }
});

const examples = pageElement('examples', HTMLSelectElement);
examples.addEventListener('change', async () => {
  if (examples.value) await loadExample(examples.value);
  examples.value = '';
});

pageElement('send-auto', HTMLButtonElement).onclick = () => sandbox.startBatch('auto');
pageElement('send-prompts', HTMLButtonElement).onclick = () => sandbox.startBatch('prompts');
window.addEventListener('resize', () => canvas.draw());

// ---------------------------------------------------------------- boot
async function listExamples(): Promise<void> {
  try {
    const names: string[] = await (await fetch('/examples.json')).json();
    for (const n of names) examples.append(new Option(n, n));
  } catch {
    /* no examples folder */
  }
}

async function boot(): Promise<void> {
  const params = new URLSearchParams(location.search);
  if (!params.has('noexamples')) await listExamples();
  await loadPluginUi(iframe, params);
}

const api: PlaygroundApi = {
  log: log.entries,
  images: gallery.images,
  addImage,
  loadExample,
  select: (index) => gallery.select(index),
  setPrompts(prompts) {
    if (gallery.current) gallery.current.prompts = prompts;
    canvas.draw();
  },
  sendJob: (mode) => sandbox.startBatch(mode, gallery.current ?? null),
  startBatch: (mode, only) => sandbox.startBatch(mode, only),
  send,
  get uiReady() {
    return sandbox.uiReady;
  },
  waitFor: (pred) => log.waitFor(pred),
};
window.playground = api;

loadPointRadiusFraction().then((fraction) => {
  canvas.pointRadiusFraction = fraction;
  canvas.draw();
});
boot();
