// The Figma sandbox's part, played in a normal web page around the real dist/ui.html.
// Messages follow Figma: the UI receives `event.data.pluginMessage`, and sends
// `parent.postMessage({pluginMessage}, '*')`. Types: core/messages.ts.

const $ = (id) => document.getElementById(id);
const iframe = $('plugin');
const stage = $('stage');
const ctx = stage.getContext('2d');

/** @type {{name: string, bytes: Uint8Array, bitmap: ImageBitmap, width: number, height: number, hash: string, prompts: any[], url: string}[]} */
const images = [];
let current = -1;
let uiReady = false;
let batch = null; // {jobs: JobMessage[], pos: number}
let jobCounter = 0;
const log = []; // every message, with a timestamp, for the e2e test

// ---------------------------------------------------------------- messaging
function record(dir, msg) {
  const t = performance.now();
  const entry = { dir, t, msg };
  log.push(entry);
  const li = document.createElement('li');
  li.textContent = `${(t / 1000).toFixed(2)}s ${dir} ${summary(msg)}`;
  $('log').append(li);
  $('log').scrollTop = $('log').scrollHeight;
  for (const w of waiters.splice(0)) if (!w(entry)) waiters.push(w);
}

function summary(msg) {
  const copy = {};
  for (const [k, v] of Object.entries(msg ?? {})) {
    copy[k] = v instanceof Uint8Array ? `<${v.length} bytes>` : typeof v === 'string' && v.length > 200 ? `<${v.length} chars>` : v;
  }
  return JSON.stringify(copy).slice(0, 240);
}

function send(msg) {
  record('→ui', msg);
  iframe.contentWindow.postMessage({ pluginMessage: msg }, '*');
}

const waiters = [];

window.addEventListener('message', (event) => {
  if (event.source !== iframe.contentWindow) return;
  const msg = event.data && event.data.pluginMessage;
  if (!msg || typeof msg.type !== 'string') return;
  record('ui→', msg);
  onUiMessage(msg);
});

function onUiMessage(msg) {
  switch (msg.type) {
    case 'ui-ready':
      uiReady = true;
      break;
    case 'assets-request':
      assetStream = assetStream.then(() => streamAssets(msg.names));
      break;
    case 'run':
      startBatch(msg.mode);
      break;
    case 'apply':
      showResult(msg);
      // Figma would create the node here; answer like the sandbox does.
      send({ type: 'applied', jobId: msg.jobId, newNodeId: `playground:${msg.jobId}` });
      nextJob();
      break;
    case 'skip':
      nextJob();
      break;
    case 'failed':
      // Like src/session/matte-session.ts: tell the user, write nothing, end the batch.
      batch = null;
      send({ type: 'done' });
      break;
    case 'close':
      break;
  }
}

// ---------------------------------------------------------------- assets
// Like src/assets/stream-assets.ts: the gzip+base64 text code.js carries, in 1 MiB pieces. The
// server reads it out of dist/code.js.
const ASSET_CHUNK_CHARS = 1 << 20;
let assetStream = Promise.resolve();

async function streamAssets(names) {
  for (const name of names) {
    const res = await fetch(`/assets/${encodeURIComponent(name)}`);
    if (!res.ok) {
      send({ type: 'asset-missing', name });
      continue;
    }
    const { rawBytes, gzipBase64 } = await res.json();
    const count = Math.max(1, Math.ceil(gzipBase64.length / ASSET_CHUNK_CHARS));
    for (let index = 0; index < count; index++) {
      const data = gzipBase64.slice(index * ASSET_CHUNK_CHARS, (index + 1) * ASSET_CHUNK_CHARS);
      send({ type: 'asset-chunk', name, index, count, rawBytes, data });
    }
  }
}

// ---------------------------------------------------------------- jobs
function makeJob(img, mode, index, count) {
  return {
    type: 'job',
    jobId: `job-${++jobCounter}`,
    mode,
    index,
    count,
    nodeId: `node-${images.indexOf(img) + 1}`,
    nodeName: img.name,
    imageHash: img.hash,
    imageBytes: img.bytes,
    width: img.width,
    height: img.height,
    prompts: mode === 'prompts' ? img.prompts.map((p) => JSON.parse(JSON.stringify(p))) : [],
  };
}

/** Like the sandbox: every image (Figma: every selected node) is one job, sent one at a time. */
function startBatch(mode, only = null) {
  const list = only ? [only] : images.length > 1 ? images : images.slice(current, current + 1);
  if (list.length === 0) {
    send({ type: 'error', message: 'Select at least one image first (drop a photo into the playground).' });
    return null;
  }
  if (mode === 'prompts' && list.every((img) => img.prompts.length === 0)) {
    send({ type: 'error', message: 'Draw a box, points or a scribble over the image first.' });
    return null;
  }
  const jobs = list.map((img, i) => makeJob(img, mode, i, list.length));
  batch = { jobs, pos: 0 };
  send(jobs[0]);
  return jobs[0].jobId;
}

function nextJob() {
  if (!batch) return;
  batch.pos++;
  if (batch.pos < batch.jobs.length) send(batch.jobs[batch.pos]);
  else {
    batch = null;
    send({ type: 'done' });
  }
}

function showResult(msg) {
  const blob = new Blob([msg.pngBytes], { type: 'image/png' });
  const url = URL.createObjectURL(blob);
  $('result').hidden = false;
  $('result-img').src = url;
  const a = $('download');
  a.href = url;
  a.download = `smat-${msg.output}-${msg.jobId}.png`;
  $('result-info').textContent = `${msg.output === 'cutout' ? 'cut-out' : 'luminance mask'}, ${(msg.pngBytes.length / 1024).toFixed(0)} KiB`;
}

// ---------------------------------------------------------------- images
async function sha1Hex(bytes) {
  if (crypto.subtle) {
    const d = await crypto.subtle.digest('SHA-1', bytes);
    return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619);
  return (h >>> 0).toString(16);
}

async function addImage(name, bytes) {
  bytes = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const blob = new Blob([bytes]);
  const bitmap = await createImageBitmap(blob);
  const img = {
    name,
    bytes,
    bitmap,
    width: bitmap.width,
    height: bitmap.height,
    hash: await sha1Hex(bytes),
    prompts: [],
    url: URL.createObjectURL(blob),
  };
  images.push(img);
  select(images.length - 1);
  renderThumbs();
  return img;
}

function select(i) {
  current = i;
  $('drop-hint').hidden = true;
  renderThumbs();
  draw();
}

function renderThumbs() {
  const box = $('thumbs');
  box.textContent = '';
  images.forEach((img, i) => {
    const el = document.createElement('img');
    el.src = img.url;
    el.title = img.name;
    el.className = i === current ? 'current' : '';
    el.onclick = () => select(i);
    box.append(el);
  });
}

// ---------------------------------------------------------------- drawing prompts
let view = { scale: 1 };

function draw() {
  const img = images[current];
  if (!img) return;
  const maxW = Math.min(stage.parentElement.clientWidth - 8, 900);
  const scale = Math.min(maxW / img.width, 460 / img.height, 4);
  stage.width = Math.round(img.width * scale);
  stage.height = Math.round(img.height * scale);
  view = { scale };
  ctx.drawImage(img.bitmap, 0, 0, stage.width, stage.height);
  ctx.save();
  ctx.scale(scale, scale);
  const lw = 2 / scale;
  for (const p of [...img.prompts, ...(drag ? [drag.prompt] : [])]) {
    if (p.kind === 'box') {
      ctx.fillStyle = 'rgba(13,153,255,0.12)';
      ctx.strokeStyle = '#0d99ff';
      ctx.lineWidth = lw;
      ctx.fillRect(p.x, p.y, p.width, p.height);
      ctx.strokeRect(p.x, p.y, p.width, p.height);
    } else if (p.kind === 'point') {
      ctx.fillStyle = '#ff3b6b';
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = lw;
      ctx.beginPath();
      ctx.arc(p.x, p.y, Math.max(img.width, img.height) / 80, 0, Math.PI * 2);
      ctx.fill();
      ctx.stroke();
    } else if (p.kind === 'scribble' && p.points.length) {
      ctx.strokeStyle = 'rgba(255,59,107,0.7)';
      ctx.lineWidth = p.width;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      ctx.beginPath();
      ctx.moveTo(p.points[0].x, p.points[0].y);
      for (const q of p.points.slice(1)) ctx.lineTo(q.x, q.y);
      if (p.points.length === 1) ctx.lineTo(p.points[0].x + 0.01, p.points[0].y);
      ctx.stroke();
    }
  }
  ctx.restore();
}

function toImage(ev) {
  const r = stage.getBoundingClientRect();
  const img = images[current];
  const x = ((ev.clientX - r.left) / r.width) * img.width;
  const y = ((ev.clientY - r.top) / r.height) * img.height;
  return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
}

const tool = () => document.querySelector('input[name=tool]:checked').value;
let drag = null;

stage.addEventListener('pointerdown', (ev) => {
  const img = images[current];
  if (!img) return;
  const p = toImage(ev);
  const t = tool();
  if (t === 'point') {
    img.prompts.push({ kind: 'point', x: p.x, y: p.y });
    draw();
    return;
  }
  stage.setPointerCapture(ev.pointerId);
  drag =
    t === 'box'
      ? { start: p, prompt: { kind: 'box', x: p.x, y: p.y, width: 0, height: 0 } }
      : { start: p, prompt: { kind: 'scribble', points: [p], width: Number($('brush').value) || 12 } };
});

stage.addEventListener('pointermove', (ev) => {
  if (!drag) return;
  const p = toImage(ev);
  if (drag.prompt.kind === 'box') {
    drag.prompt.x = Math.min(drag.start.x, p.x);
    drag.prompt.y = Math.min(drag.start.y, p.y);
    drag.prompt.width = Math.abs(p.x - drag.start.x);
    drag.prompt.height = Math.abs(p.y - drag.start.y);
  } else {
    drag.prompt.points.push(p);
  }
  draw();
});

stage.addEventListener('pointerup', () => {
  if (!drag) return;
  const p = drag.prompt;
  if (p.kind !== 'box' || (p.width > 2 && p.height > 2)) images[current].prompts.push(p);
  drag = null;
  draw();
});

$('clear').onclick = () => {
  if (images[current]) images[current].prompts = [];
  draw();
};

// ---------------------------------------------------------------- inputs
$('file').addEventListener('change', async (ev) => {
  for (const f of ev.target.files) await addImage(f.name, new Uint8Array(await f.arrayBuffer()));
});
const drop = $('drop');
drop.addEventListener('dragover', (ev) => {
  ev.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', async (ev) => {
  ev.preventDefault();
  drop.classList.remove('over');
  for (const f of ev.dataTransfer.files) {
    if (/^image\/(png|jpeg)$/.test(f.type)) await addImage(f.name, new Uint8Array(await f.arrayBuffer()));
  }
});

async function loadExample(name) {
  const res = await fetch(`/examples/${encodeURIComponent(name)}`);
  if (!res.ok) throw new Error(`example ${name}: HTTP ${res.status}`);
  return addImage(name, new Uint8Array(await res.arrayBuffer()));
}

$('examples').addEventListener('change', async (ev) => {
  if (ev.target.value) await loadExample(ev.target.value);
  ev.target.value = '';
});

$('send-auto').onclick = () => startBatch('auto');
$('send-prompts').onclick = () => startBatch('prompts');
window.addEventListener('resize', draw);

// ---------------------------------------------------------------- boot
async function boot() {
  const params = new URLSearchParams(location.search);
  if (!params.has('noexamples')) {
    try {
      const names = await (await fetch('/examples.json')).json();
      for (const n of names) $('examples').append(new Option(n, n));
    } catch {
      /* no examples folder */
    }
  }
  const res = await fetch('/ui.html');
  let html = await res.text();
  // ?backend=webgpu|wasm forces a backend; WebGPU then also takes a software adapter (testing).
  const backend = params.get('backend');
  if (backend === 'webgpu' || backend === 'wasm') {
    html = html.replace('<head>', `<head><meta name="smat-backend" content="${backend}">`);
  }
  // Like Figma: the UI is a data: URL (opaque origin, not a secure context, so no WebGPU; Chromium
  // refuses such URLs over ~2 MB). ?host=srcdoc: a sandboxed srcdoc document instead.
  if (params.get('host') === 'srcdoc') iframe.srcdoc = html;
  else iframe.src = `data:text/html;base64,${utf8ToBase64(html)}`;
}

function utf8ToBase64(text) {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

// Hooks for scripts and the e2e test.
window.playground = {
  log,
  images,
  addImage,
  loadExample,
  select,
  setPrompts(prompts) {
    images[current].prompts = prompts;
    draw();
  },
  /** Sends one job for the current image and returns its id. */
  sendJob(mode) {
    return startBatch(mode, images[current]);
  },
  startBatch,
  send,
  get uiReady() {
    return uiReady;
  },
  /** Resolves with the first log entry `pred` accepts (already logged ones included). */
  waitFor(pred) {
    const hit = log.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve) => waiters.push((e) => (pred(e) ? (resolve(e), true) : false)));
  },
};

boot();
