// The sandbox against a fake Figma API (test/fake-figma/, typed from @figma/plugin-typings):
// reading the selection, refusing bad input, the job protocol, and writing results back.
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppliedMessage, ApplyMessage, ErrorMessage, JobMessage, SandboxToUi } from '../core/messages';
import { MatteSession } from '../src/session/matte-session';
import { runRequestForCommand } from '../src/session/run-request-for-command';
import { NOTHING_SELECTED, NO_IMAGE_FILL, REFINE_NOTHING_SELECTED } from '../src/session/user-messages';
import { RESULT_SOURCE_KEY } from '../src/write-back/result-markers';
import { addBoxPrompt, addDotPrompt, addPhoto, buildScene, snapshotNode, type Scene } from './fake-figma/build-scene';
import type { FakeFigma } from './fake-figma/fake-figma-api';
import { FakeContainer, type FakeShapeNode, resetFakeIds } from './fake-figma/fake-nodes';
import { gifHeader, jpegHeader, pngHeader, webpHeader } from './fake-figma/image-bytes';

const posted = (figma: FakeFigma) => figma.posted as SandboxToUi[];
const ofType = <T extends SandboxToUi['type']>(figma: FakeFigma, type: T) =>
  posted(figma).filter((m): m is Extract<SandboxToUi, { type: T }> => m.type === type);
const lastJob = (figma: FakeFigma): JobMessage => {
  const jobs = ofType(figma, 'job');
  expect(jobs.length).toBeGreaterThan(0);
  return jobs[jobs.length - 1];
};
const errors = (figma: FakeFigma) => ofType(figma, 'error').map((m: ErrorMessage) => m.message);

/** Page tree as ids, to prove nothing was added, moved or removed. */
function tree(node: FakeContainer): unknown {
  return node.children.map((c) => (c instanceof FakeContainer ? { [c.id]: tree(c) } : c.id));
}

async function startSession(scene: Scene, mode: 'auto' | 'prompts' = 'auto') {
  const session = new MatteSession(scene.figma);
  await session.receive({ type: 'ui-ready' });
  await session.receive({ type: 'run', mode });
  return session;
}

function expectNothingWritten(scene: Scene, before: { tree: unknown; photo: unknown }) {
  expect(tree(scene.figma.doc.page)).toEqual(before.tree);
  expect(snapshotNode(scene.photo)).toEqual(before.photo);
  expect(scene.figma.undoCommits).toBe(0);
  expect(ofType(scene.figma, 'applied')).toHaveLength(0);
}

const matte = (width = 400, height = 200) => pngHeader(width, height);

/** What the panel sends on Apply when the user excluded no prompt layer: every layer of the job. */
function applyOf(jobId: string, pngBytes: Uint8Array, output: 'cutout' | 'mask'): ApplyMessage {
  const job = ofType(scene.figma, 'job').find((j) => j.jobId === jobId);
  return { type: 'apply', jobId, pngBytes, output, promptLayerIds: job ? job.promptLayers.map((l) => l.id) : [] };
}

let scene: Scene;
let before: { tree: unknown; photo: unknown };
beforeEach(() => {
  resetFakeIds();
  scene = buildScene();
  before = { tree: tree(scene.figma.doc.page), photo: snapshotNode(scene.photo) };
});

describe('reading the selection', () => {
  it('nothing selected', async () => {
    await startSession(scene);
    expect(errors(scene.figma)).toEqual([NOTHING_SELECTED]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expectNothingWritten(scene, before);
  });

  it('no image fill', async () => {
    const plain = scene.figma.shape('RECTANGLE', 'Plain', 50, 50, scene.board);
    plain.fills = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }];
    const hidden = scene.figma.shape('RECTANGLE', 'Hidden image', 50, 50, scene.board);
    hidden.fills = [{ type: 'IMAGE', imageHash: scene.hash, scaleMode: 'FILL', visible: false }];
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(plain, hidden);
    await startSession(scene);
    expect(errors(scene.figma)).toEqual([NO_IMAGE_FILL]);
    expectNothingWritten(scene, before);
  });

  it('mixed fills count as no image fill', async () => {
    const text = scene.figma.shape('RECTANGLE', 'Mixed', 50, 50, scene.board);
    text.fills = Symbol('mixed') as unknown as FakeShapeNode['fills'];
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(text);
    await startSession(scene);
    expect(errors(scene.figma)).toEqual([NO_IMAGE_FILL]);
  });

  it('GIF (by magic bytes), even next to a good image', async () => {
    const gif = addPhoto(scene.figma, scene.board, 'Animation', 100, 100, gifHeader());
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(scene.photo, gif);
    await startSession(scene);
    expect(errors(scene.figma)).toHaveLength(1);
    expect(errors(scene.figma)[0]).toMatch(/"Animation" is a GIF/);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expectNothingWritten(scene, before);
  });

  it('video paint', async () => {
    const video = scene.figma.shape('RECTANGLE', 'Clip', 100, 100, scene.board);
    video.fills = [{ type: 'VIDEO', videoHash: 'v1', scaleMode: 'FILL' }];
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(video);
    await startSession(scene);
    expect(errors(scene.figma)[0]).toMatch(/video/);
    expectNothingWritten(scene, before);
  });

  it('oversized image (> 4096 px on a side)', async () => {
    const big = addPhoto(scene.figma, scene.board, 'Panorama', 100, 10, jpegHeader(), { width: 5000, height: 300 });
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(big);
    await startSession(scene);
    expect(errors(scene.figma)[0]).toMatch(/5000×300 px.*4096/);
    expectNothingWritten(scene, before);
  });

  it('unreadable bytes (neither PNG nor JPEG)', async () => {
    const webp = addPhoto(scene.figma, scene.board, 'Sticker', 100, 100, webpHeader());
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(webp);
    await startSession(scene);
    expect(errors(scene.figma)[0]).toMatch(/Can't read the image in "Sticker"/);
    expectNothingWritten(scene, before);
  });

  it('uses the top-most visible image paint', async () => {
    const { hash: top } = scene.figma.storeImage(jpegHeader(), 300, 300);
    scene.photo.fills = [...(scene.photo.fills as Paint[]), { type: 'IMAGE', imageHash: top, scaleMode: 'FIT' }];
    scene.figma.select(scene.photo);
    await startSession(scene);
    const job = lastJob(scene.figma);
    expect(job).toMatchObject({ imageHash: top, width: 300, height: 300, nodeId: scene.photo.id, nodeName: 'Photo' });
  });
});

describe('jobs', () => {
  it("answers the panel's request for the model at once, not after a run it is still preparing", async () => {
    const sent: string[][] = [];
    const session = new MatteSession(scene.figma, { sendAssets: (names) => sent.push([...names]) });
    scene.figma.select(scene.photo);
    const run = session.receive({ type: 'run', mode: 'auto' });
    void session.receive({ type: 'assets-request', names: ['ort-wasm', 'encoder'] });
    expect(sent).toEqual([['ort-wasm', 'encoder']]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    await run;
    expect(ofType(scene.figma, 'job')).toHaveLength(1);
  });

  it("leaves out the photo the panel holds, for the batch's first image only; reads it for any other", async () => {
    const session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    scene.figma.select(scene.photo);
    await session.receive({ type: 'run', mode: 'auto', heldImageHash: scene.hash });
    expect(lastJob(scene.figma)).toMatchObject({ imageHash: scene.hash, imageBytes: null, width: 400, height: 200 });
    expect(scene.figma.bytesRead).toEqual([]);

    // Another image first: the panel replaces what it holds with that one, so both come with bytes.
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 640, height: 480 });
    scene.figma.select(second, scene.photo);
    await session.receive({ type: 'run', mode: 'auto', heldImageHash: scene.hash });
    const first = lastJob(scene.figma);
    expect(first.imageBytes?.length).toBeGreaterThan(0);
    await session.receive({ type: 'skip', jobId: first.jobId });
    expect(lastJob(scene.figma)).toMatchObject({ imageHash: scene.hash, imageBytes: pngHeader(400, 200) });

    // A hash that is not the image's, or none, reads the bytes.
    scene.figma.select(scene.photo);
    await session.receive({ type: 'run', mode: 'auto', heldImageHash: 'hash-elsewhere' });
    expect(lastJob(scene.figma).imageBytes?.length).toBeGreaterThan(0);
    await session.receive({ type: 'run', mode: 'auto' });
    expect(lastJob(scene.figma).imageBytes?.length).toBeGreaterThan(0);
    expect(errors(scene.figma)).toEqual([]);
  });

  it('refuses a run that names something other than a hash as the image the panel holds', async () => {
    const session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    scene.figma.select(scene.photo);
    await session.receive({ type: 'run', mode: 'auto', heldImageHash: 42 });
    expect(errors(scene.figma)).toEqual([
      'The SMat panel sent a message the plugin cannot use ("run" names number as the image it holds). Nothing was written; close and reopen the plugin.',
    ]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
  });

  it('one job per image, one at a time, with index/count; "done" at the end', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 640, height: 480 });
    scene.figma.select(scene.photo, second);
    const session = await startSession(scene);
    expect(ofType(scene.figma, 'job')).toHaveLength(1);
    const first = lastJob(scene.figma);
    expect(first).toMatchObject({
      mode: 'auto',
      index: 0,
      count: 2,
      nodeName: 'Photo',
      width: 400,
      height: 200,
      prompts: [],
    });
    expect(Array.from(first.imageBytes!.slice(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);

    await session.receive({ type: 'skip', jobId: first.jobId });
    const next = lastJob(scene.figma);
    expect(next).toMatchObject({ index: 1, count: 2, nodeName: 'Second', width: 640, height: 480 });
    expect(next.jobId).not.toBe(first.jobId);
    expect(ofType(scene.figma, 'done')).toHaveLength(0);

    await session.receive({ type: 'skip', jobId: next.jobId });
    expect(ofType(scene.figma, 'done')).toHaveLength(1);
    expect(scene.figma.undoCommits).toBe(0);
  });

  it('menu commands wait for the UI to be ready', async () => {
    scene.figma.select(scene.photo);
    const session = new MatteSession(scene.figma);
    await session.request(runRequestForCommand('matte-with-prompts') ?? { mode: 'auto' });
    expect(posted(scene.figma)).toHaveLength(0);
    await session.receive({ type: 'ui-ready' });
    // No shapes: the prompt run is refused, but only now that the UI can show it.
    expect(errors(scene.figma)[0]).toMatch(/No prompt shapes over "Photo"/);
    expect(runRequestForCommand('auto-matte')).toEqual({ mode: 'auto' });
    expect(runRequestForCommand('refine')).toEqual({ mode: 'refine' });
    expect(runRequestForCommand('')).toBeNull();
  });

  it('an answer for a stale job id is ignored', async () => {
    scene.figma.select(scene.photo);
    const session = await startSession(scene);
    await session.receive(applyOf('job-999', matte(), 'cutout'));
    expectNothingWritten(scene, before);
    expect(session.currentJobId).toBe(lastJob(scene.figma).jobId);
  });
});

describe('the selected image, offered to the panel before a run', () => {
  const hashOf = (node: FakeShapeNode) => (node.fills as ImagePaint[])[0].imageHash;

  it('offers the one image of the selection once, with its bytes, alone or with shapes over it', async () => {
    const session = new MatteSession(scene.figma);
    scene.figma.select(scene.photo);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image'), 'not before the panel is there').toEqual([]);

    await session.receive({ type: 'ui-ready' });
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image')).toEqual([
      { type: 'selected-image', imageHash: scene.hash, imageBytes: pngHeader(400, 200), width: 400, height: 200 },
    ]);
    scene.figma.select(scene.photo, addBoxPrompt(scene));
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image'), 'given already').toHaveLength(1);

    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 640, height: 480 });
    scene.figma.select(second, scene.photo);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image'), 'two images: no one to prepare').toHaveLength(1);
    scene.figma.select(second);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image').at(-1)).toMatchObject({ imageHash: hashOf(second) });
    expect(posted(scene.figma).map((m) => m.type)).toEqual(['selected-image', 'selected-image']);
  });

  it('offers nothing while a batch runs, nor the image of the last job or a result, and says nothing of a bad image', async () => {
    const session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    scene.figma.select(scene.photo);
    await session.receive({ type: 'run', mode: 'auto' });
    const job = lastJob(scene.figma);
    const other = addPhoto(scene.figma, scene.board, 'Other', 100, 100, jpegHeader(), { width: 640, height: 480 });
    scene.figma.select(other);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image'), 'a job is in the panel').toEqual([]);

    await session.receive({ type: 'skip', jobId: job.jobId });
    scene.figma.select(scene.photo);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image'), "the job's image is the one the panel has").toEqual([]);

    const gif = addPhoto(scene.figma, scene.board, 'Gif', 100, 100, gifHeader());
    scene.figma.select(gif);
    await session.selectionChanged();
    const result = addPhoto(scene.figma, scene.board, 'Photo (cut out)', 100, 100, pngHeader(400, 200));
    result.setPluginData(RESULT_SOURCE_KEY, scene.photo.id);
    scene.figma.select(result);
    await session.selectionChanged();
    scene.figma.select(other);
    await session.selectionChanged();
    expect(ofType(scene.figma, 'selected-image').map((m) => m.imageHash)).toEqual([hashOf(other)]);
    expect(errors(scene.figma)).toEqual([]);
  });

  it('offers the selected image when the panel opens without a command', async () => {
    const session = new MatteSession(scene.figma);
    scene.figma.select(scene.photo);
    await session.receive({ type: 'ui-ready' });
    expect(ofType(scene.figma, 'selected-image').map((m) => m.imageHash)).toEqual([scene.hash]);
  });
});

describe('prompts', () => {
  it('maps shapes above the image (same parent) and selected shapes to image pixels', async () => {
    // Photo: page (120, 80), 200x100 showing 400x200 px -> 2 px per canvas unit.
    addBoxPrompt(scene);
    addDotPrompt(scene);
    const stroke = scene.figma.shape('VECTOR', 'Stroke', 50, 10);
    stroke.vectorPaths = [{ windingRule: 'NONE', data: 'M 0 0 L 50 0' }];
    stroke.strokeWeight = 5;
    stroke.x = 130; // on the page, not in the board: counts because it is selected
    stroke.y = 140;
    const below = scene.figma.shape('RECTANGLE', 'Below', 20, 20, scene.board);
    scene.board.insertChild(0, below); // under the photo: not a prompt
    const far = scene.figma.shape('RECTANGLE', 'Elsewhere', 20, 20, scene.board);
    far.x = 500; // above but not overlapping
    const star = scene.figma.shape('STAR', 'Big star', 80, 80, scene.board); // artwork, not a prompt
    star.x = 30;
    star.y = 30;
    const hidden = scene.figma.shape('RECTANGLE', 'Used before', 20, 20, scene.board);
    hidden.x = 30;
    hidden.y = 40;
    hidden.visible = false;

    scene.figma.select(scene.photo, stroke);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toEqual([]);
    const job = lastJob(scene.figma);
    expect(job.mode).toBe('prompts');
    expect(job.prompts).toEqual([
      { kind: 'box', x: 40, y: 20, width: 120, height: 80 },
      { kind: 'point', x: 200, y: 40 },
      {
        kind: 'scribble',
        points: [
          { x: 20, y: 120 },
          { x: 120, y: 120 },
        ],
        width: 10,
      },
    ]);
  });

  it('all prompt shapes outside the image: refused, nothing written', async () => {
    // FIT letterboxes the 400x200 picture in a 200x200 node: bands of 50 above and below.
    scene.photo.height = 200;
    scene.photo.fills = [{ type: 'IMAGE', imageHash: scene.hash, scaleMode: 'FIT' }];
    const inBand = scene.figma.shape('RECTANGLE', 'Top band', 100, 30, scene.board);
    inBand.x = 40;
    inBand.y = 35;
    const away = scene.figma.shape('ELLIPSE', 'Far dot', 8, 8);
    away.x = 2000;
    before = { tree: tree(scene.figma.doc.page), photo: snapshotNode(scene.photo) };
    scene.figma.select(scene.photo, away);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toEqual([
      'No prompt shape over "Photo" can be used: "Top band" lies outside the picture; "Far dot" lies outside the picture. ' +
        'Draw a rectangle, a dot or a stroke on it, or use Auto Matte.',
    ]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expect(inBand.visible && away.visible).toBe(true);
    expectNothingWritten(scene, before);
  });

  it('prompt shapes on a rotated image layer', async () => {
    // Rotate the photo 90° counter-clockwise on screen (Figma's sense): local x now runs up the page.
    scene.photo.setTransform([
      [0, 1, 20],
      [-1, 0, 230],
    ]);
    // Local (50, 25) -> board (20 + 25, 230 - 50) = (45, 180). Put a dot there.
    const dot = scene.figma.shape('ELLIPSE', 'Dot', 4, 4, scene.board);
    dot.x = 43;
    dot.y = 178;
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(lastJob(scene.figma).prompts).toEqual([{ kind: 'point', x: 100, y: 50 }]);
  });
});

describe('apply', () => {
  async function runWithBox() {
    const box = addBoxPrompt(scene);
    const far = scene.figma.shape('RECTANGLE', 'Unrelated', 20, 20, scene.board);
    far.x = 500;
    const photoBefore = snapshotNode(scene.photo);
    scene.figma.select(scene.photo);
    const session = await startSession(scene, 'prompts');
    return { session, box, far, photoBefore, job: lastJob(scene.figma) };
  }

  it('writes a clone right above the source with the new hash and name; the source is untouched', async () => {
    const { session, box, far, photoBefore, job } = await runWithBox();
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));

    expect(errors(scene.figma)).toEqual([]);
    const [applied] = ofType(scene.figma, 'applied') as AppliedMessage[];
    expect(applied.jobId).toBe(job.jobId);
    const children = scene.board.children;
    const result = children[children.indexOf(scene.photo) + 1] as FakeShapeNode;
    expect(result.id).toBe(applied.newNodeId);
    expect(result.name).toBe('Photo (matte)');
    expect(result.parent).toBe(scene.board);
    expect(result.relativeTransform).toEqual(scene.photo.relativeTransform);

    // Only the image paint, with the matte's picture: the solid backing paint is gone (it would fill
    // the transparent area); scale mode, filters and paint opacity are kept.
    const sourceFills = scene.photo.fills as ImagePaint[];
    const resultFills = result.fills as ImagePaint[];
    expect(resultFills).toHaveLength(1);
    expect({ ...resultFills[0], imageHash: sourceFills[1].imageHash }).toEqual(sourceFills[1]);
    expect(resultFills[0].imageHash).not.toBe(sourceFills[1].imageHash);
    expect(scene.figma.imageBytes(resultFills[0].imageHash!)).toEqual(matte());

    expect(snapshotNode(scene.photo)).toEqual(photoBefore);
    expect(result.getPluginData(RESULT_SOURCE_KEY)).toBe(scene.photo.id);
    expect(result.getRelaunchData()).toEqual({ refine: 'Run SMat again with the current shapes' });

    // The used prompt shape is hidden; others are left alone.
    expect(box.visible).toBe(false);
    expect(far.visible).toBe(true);

    expect(scene.figma.undoCommits).toBe(1);
    expect(ofType(scene.figma, 'done')).toHaveLength(1);
  });

  it('commitUndo once per applied image', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 48 });
    const third = addPhoto(scene.figma, scene.board, 'Third', 100, 100, jpegHeader(), { width: 32, height: 32 });
    scene.figma.select(scene.photo, second, third);
    const session = await startSession(scene);
    await session.receive(applyOf(lastJob(scene.figma).jobId, matte(), 'cutout'));
    expect(scene.figma.undoCommits).toBe(1);
    await session.receive({ type: 'skip', jobId: lastJob(scene.figma).jobId });
    expect(scene.figma.undoCommits).toBe(1);
    await session.receive(applyOf(lastJob(scene.figma).jobId, pngHeader(32, 32), 'cutout'));
    expect(scene.figma.undoCommits).toBe(2);
    expect(ofType(scene.figma, 'applied')).toHaveLength(2);
    expect(scene.board.children.map((c) => c.name)).toEqual([
      'Photo',
      'Photo (matte)',
      'Second',
      'Third',
      'Third (matte)',
    ]);
  });

  it('mask output: a group above the source whose bottom layer is a luminance mask', async () => {
    const { session, box, photoBefore, job } = await runWithBox();
    await session.receive(applyOf(job.jobId, matte(), 'mask'));

    expect(errors(scene.figma)).toEqual([]);
    const group = scene.board.children[scene.board.children.indexOf(scene.photo) + 1] as FakeContainer;
    expect(group.type).toBe('GROUP');
    expect(group.name).toBe('Photo (matte)');
    expect(group.id).toBe((ofType(scene.figma, 'applied')[0] as AppliedMessage).newNodeId);
    const [mask, photoCopy] = group.children as FakeShapeNode[];
    expect(mask).toMatchObject({ name: 'Photo (mask)', isMask: true, maskType: 'LUMINANCE' });
    expect((mask.fills as ImagePaint[])[0].imageHash).not.toBe(job.imageHash);
    expect(photoCopy).toMatchObject({ name: 'Photo', isMask: false });
    // The photo the mask clips is the image paint alone, as the user set it up.
    expect(photoCopy.fills).toEqual([(scene.photo.fills as Paint[])[1]]);
    // Same place on the page as the source.
    expect(mask.absoluteTransform).toEqual(scene.photo.absoluteTransform);
    expect(photoCopy.absoluteTransform).toEqual(scene.photo.absoluteTransform);
    expect(group.getPluginData(RESULT_SOURCE_KEY)).toBe(scene.photo.id);
    expect(snapshotNode(scene.photo)).toEqual(photoBefore);
    expect(box.visible).toBe(false);
    expect(scene.figma.undoCommits).toBe(1);
  });

  it("'failed' from the UI: notify, write nothing, end the batch", async () => {
    const { session, box, photoBefore, job } = await runWithBox();
    const treeBefore = tree(scene.figma.doc.page);
    await session.receive({ type: 'failed', jobId: job.jobId, message: 'Could not load the model: out of memory' });
    expect(scene.figma.notifications).toEqual([
      { message: 'Could not load the model: out of memory', options: { error: true } },
    ]);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
    expect(snapshotNode(scene.photo)).toEqual(photoBefore);
    expect(box.visible).toBe(true);
    expect(scene.figma.undoCommits).toBe(0);
    expect(ofType(scene.figma, 'done')).toHaveLength(1);
    // A late apply for the failed job writes nothing either.
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
  });

  it('a failure half-way through write-back removes what was created and keeps the shapes visible', async () => {
    const { session, box, job } = await runWithBox();
    const treeBefore = tree(scene.figma.doc.page);
    // The user swapped the picture while the model ran: the clone is made, then the swap refuses.
    const { hash: other } = scene.figma.storeImage(jpegHeader(), 400, 200);
    scene.photo.fills = [
      { type: 'SOLID', color: { r: 1, g: 1, b: 1 } },
      { type: 'IMAGE', imageHash: other, scaleMode: 'FILL' },
    ];
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(errors(scene.figma)[0]).toMatch(/Couldn't write the matte for "Photo": The image changed/);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
    expect(box.visible).toBe(true);
    expect(scene.figma.undoCommits).toBe(0);
    expect(ofType(scene.figma, 'applied')).toHaveLength(0);
  });

  it('a failure while grouping the mask removes both clones', async () => {
    const { session, box, job } = await runWithBox();
    const treeBefore = tree(scene.figma.doc.page);
    scene.figma.group = () => {
      throw new Error('grouping failed');
    };
    await session.receive(applyOf(job.jobId, matte(), 'mask'));
    expect(errors(scene.figma)[0]).toMatch(/grouping failed/);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
    expect(box.visible).toBe(true);
  });

  it('refuses a matte of the wrong size before creating anything', async () => {
    const { session, job } = await runWithBox();
    const treeBefore = tree(scene.figma.doc.page);
    await session.receive(applyOf(job.jobId, matte(200, 100), 'cutout'));
    expect(errors(scene.figma)[0]).toMatch(/200×100 px but the image is 400×200 px/);
    await session.receive({ type: 'run', mode: 'auto' });
    await session.receive(applyOf(lastJob(scene.figma).jobId, jpegHeader(), 'cutout'));
    expect(errors(scene.figma)[1]).toMatch(/not a PNG/);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
  });

  it('mask output in an auto-layout frame: the group is absolute and the mask sits on the source', async () => {
    scene.board.layoutMode = 'VERTICAL';
    scene.figma.select(scene.photo);
    const session = await startSession(scene);
    await session.receive(applyOf(lastJob(scene.figma).jobId, matte(), 'mask'));
    expect(errors(scene.figma)).toEqual([]);
    const group = scene.board.children[1] as FakeContainer;
    expect(group.layoutPositioning).toBe('ABSOLUTE');
    expect((group.children[0] as FakeShapeNode).absoluteTransform).toEqual(scene.photo.absoluteTransform);
  });

  it('in an auto-layout frame the result is positioned absolutely over the source', async () => {
    scene.board.layoutMode = 'HORIZONTAL';
    scene.figma.select(scene.photo);
    const session = await startSession(scene);
    await session.receive(applyOf(lastJob(scene.figma).jobId, matte(), 'cutout'));
    const result = scene.board.children[1] as FakeShapeNode;
    expect(result.name).toBe('Photo (matte)');
    expect(result.layoutPositioning).toBe('ABSOLUTE');
    expect([result.x, result.y]).toEqual([scene.photo.x, scene.photo.y]);
    expect(scene.photo.layoutPositioning).toBe('AUTO');
  });
});

describe('refine (relaunch button on a result)', () => {
  it('re-runs with the current shapes on the source and replaces the earlier result', async () => {
    addBoxPrompt(scene);
    scene.figma.select(scene.photo);
    let session = await startSession(scene, 'prompts');
    await session.receive(applyOf(lastJob(scene.figma).jobId, matte(), 'cutout'));
    const first = scene.board.children[1] as FakeShapeNode;
    expect(first.name).toBe('Photo (matte)');

    // The user adds a dot and presses Refine on the result (a fresh plugin run).
    const dot = addDotPrompt(scene);
    scene.figma.select(first);
    scene.figma.posted.length = 0;
    session = new MatteSession(scene.figma);
    await session.request({ mode: 'refine' });
    await session.receive({ type: 'ui-ready' });
    const job = lastJob(scene.figma);
    // The hidden box was used up; the result itself (a picture) is not a prompt.
    expect(job).toMatchObject({ mode: 'prompts', nodeId: scene.photo.id, prompts: [{ kind: 'point', x: 200, y: 40 }] });

    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(first.removed).toBe(true);
    expect(scene.board.children.map((c) => c.name)).toEqual(['Photo', 'Photo (matte)', 'Box', 'Dot']);
    expect(dot.visible).toBe(false);
    expect(scene.figma.undoCommits).toBe(2);
  });

  it('refine without a result selected, or with its source deleted', async () => {
    scene.figma.select(scene.photo);
    let session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    await session.request({ mode: 'refine' });
    expect(errors(scene.figma)).toEqual([REFINE_NOTHING_SELECTED]);

    const orphan = scene.figma.shape('RECTANGLE', 'Old matte', 10, 10, scene.board);
    orphan.setPluginData(RESULT_SOURCE_KEY, '999:1');
    scene.figma.select(orphan);
    session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    await session.request({ mode: 'refine' });
    expect(errors(scene.figma)[1]).toMatch(/original image of this matte is gone/);
  });
});

describe('prompt shapes that are not used are named with the reason', () => {
  /** Figma's own grouping (the fake follows it): the shapes keep their place on the page. */
  const groupOf = (name: string, ...nodes: FakeShapeNode[]): FakeContainer => {
    const group = scene.figma.group(
      nodes as unknown as BaseNode[],
      scene.board as unknown as BaseNode & ChildrenMixin,
    ) as unknown as FakeContainer;
    group.name = name;
    return group;
  };
  const unused = (job: JobMessage) => job.unusedLayers.map((l) => [l.name, l.reason]);

  it('a selected shape entirely outside the image, or over a FIT band, is listed as outside', async () => {
    scene.photo.height = 200; // FIT: bands of 50 above and below the 400x200 picture
    scene.photo.fills = [{ type: 'IMAGE', imageHash: scene.hash, scaleMode: 'FIT' }];
    const box = addBoxPrompt(scene);
    box.y = 90; // over the picture (board y 80..180)
    const band = scene.figma.shape('RECTANGLE', 'Top band', 100, 30, scene.board);
    band.x = 40;
    band.y = 35;
    const away = scene.figma.shape('ELLIPSE', 'Far dot', 8, 8);
    away.x = 2000;
    scene.figma.select(scene.photo, away);
    await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.promptLayers.map((l) => l.name)).toEqual(['Box']);
    expect(job.unusedLayers).toEqual([
      { id: band.id, name: 'Top band', reason: 'outside-image', why: 'lies outside the picture' },
      { id: away.id, name: 'Far dot', reason: 'outside-image', why: 'lies outside the picture' },
    ]);
  });

  it('a shape selected for another image of the batch is not listed as outside this one', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 64 });
    second.x = 300;
    second.y = 200;
    addBoxPrompt(scene);
    const dot = scene.figma.shape('ELLIPSE', 'Dot on second', 6, 6, scene.board);
    dot.x = 340;
    dot.y = 240;
    scene.figma.select(scene.photo, second, dot);
    const session = await startSession(scene, 'prompts');
    expect(lastJob(scene.figma).unusedLayers).toEqual([]);
    await session.receive({ type: 'skip', jobId: lastJob(scene.figma).jobId });
    expect(lastJob(scene.figma)).toMatchObject({ nodeName: 'Second', unusedLayers: [] });
    expect(lastJob(scene.figma).promptLayers.map((l) => l.id)).toEqual([dot.id]);
  });

  it('hidden and locked shapes, and shapes inside a hidden or locked layer, are listed with why', async () => {
    addBoxPrompt(scene);
    const hidden = scene.figma.shape('RECTANGLE', 'Used before', 20, 20, scene.board);
    hidden.x = 30;
    hidden.y = 40;
    hidden.visible = false;
    const locked = scene.figma.shape('ELLIPSE', 'Locked dot', 6, 6, scene.board);
    locked.x = 60;
    locked.y = 60;
    locked.locked = true;
    const lockedFrame = scene.figma.frame('Locked frame', 100, 100, scene.board);
    lockedFrame.locked = true;
    const inLocked = scene.figma.shape('RECTANGLE', 'In locked frame', 40, 20, lockedFrame);
    const hiddenFrame = scene.figma.frame('Hidden frame', 100, 100, scene.board);
    hiddenFrame.visible = false;
    const inHidden = scene.figma.shape('RECTANGLE', 'In hidden frame', 40, 20, hiddenFrame);
    scene.figma.select(scene.photo, inLocked, inHidden);
    const session = await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.promptLayers.map((l) => l.name)).toEqual(['Box']);
    expect(job.unusedLayers.map((l) => [l.name, l.reason, l.why])).toEqual([
      ['Used before', 'hidden', 'is hidden (show it to use it)'],
      ['Locked dot', 'locked', 'is locked (unlock it to use it)'],
      ['In locked frame', 'in-locked-layer', 'is inside the locked "Locked frame" (unlock it to use this shape)'],
      ['In hidden frame', 'in-hidden-layer', 'is inside the hidden "Hidden frame" (show it to use this shape)'],
    ]);
    // Listed is not used: Apply hides none of them, whatever the panel names.
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect([hidden.visible, locked.visible, inLocked.visible, inHidden.visible]).toEqual([false, true, true, true]);
  });

  it('a rectangle inside a locked frame: the refusal says it is locked', async () => {
    scene.board.locked = true;
    addBoxPrompt(scene);
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toEqual([
      'No prompt shape over "Photo" can be used: "Box" is inside the locked "Board" (unlock it to use this shape). ' +
        'Draw a rectangle, a dot or a stroke on it, or use Auto Matte.',
    ]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expectNothingWritten(scene, before);
  });

  it("a selected group's shapes are prompts; Apply hides those shapes, not the group", async () => {
    const box = addBoxPrompt(scene);
    const dot = addDotPrompt(scene);
    const group = groupOf('My prompts', box, dot);
    scene.figma.select(scene.photo, group);
    const session = await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.promptLayers.map((l) => l.name)).toEqual(['Box', 'Dot']);
    expect(job.prompts).toEqual([
      { kind: 'box', x: 40, y: 20, width: 120, height: 80 },
      { kind: 'point', x: 200, y: 40 },
    ]);
    expect(job.unusedLayers).toEqual([]);
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect([box.visible, dot.visible, group.visible]).toEqual([false, false, true]);
  });

  it('a group over the image that is not selected is named as a group; alone, the refusal says so', async () => {
    groupOf('Artwork', addBoxPrompt(scene), addDotPrompt(scene));
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toEqual([
      'No prompt shape over "Photo" can be used: "Artwork" is a group (select it with the image to use its shapes). ' +
        'Draw a rectangle, a dot or a stroke on it, or use Auto Matte.',
    ]);
    expectNothingWritten(scene, before);

    const loose = addBoxPrompt(scene);
    scene.figma.posted.length = 0;
    await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.promptLayers.map((l) => l.id)).toEqual([loose.id]);
    expect(unused(job)).toEqual([['Artwork', 'group']]);
  });

  it('a large star and a selected layer that is not a shape are named too', async () => {
    addBoxPrompt(scene);
    const star = scene.figma.shape('STAR', 'Big star', 80, 80, scene.board);
    star.x = 30;
    star.y = 30;
    const frame = scene.figma.frame('Empty frame', 50, 50, scene.board);
    scene.figma.select(scene.photo, frame);
    await startSession(scene, 'prompts');
    expect(unused(lastJob(scene.figma))).toEqual([
      ['Big star', 'artwork'],
      ['Empty frame', 'not-a-shape'],
    ]);
  });

  it('Auto Matte lists no shapes: it uses none by design', async () => {
    addBoxPrompt(scene).locked = true;
    scene.figma.select(scene.photo);
    await startSession(scene, 'auto');
    expect(lastJob(scene.figma).unusedLayers).toEqual([]);
  });
});

describe('"not this" clicks: a red dot, or a dot named "-…", "not…" or "exclude…"', () => {
  const RED: SolidPaint = { type: 'SOLID', color: { r: 0.9, g: 0.12, b: 0.1 } };
  /** Figma's default fill for a new shape. */
  const GREY: SolidPaint = { type: 'SOLID', color: { r: 0.85, g: 0.85, b: 0.85 } };
  const BOX = { kind: 'box', x: 40, y: 20, width: 120, height: 80 };

  /** A 6x6 ellipse in the board over the photo, centred on (x, y) in the photo's pixels. */
  const dotAt = (name: string, x: number, y: number, fill: Paint = GREY): FakeShapeNode => {
    const dot = scene.figma.shape('ELLIPSE', name, 6, 6, scene.board);
    dot.x = 20 + x / 2 - 3;
    dot.y = 30 + y / 2 - 3;
    dot.fills = [fill];
    return dot;
  };

  it('a red dot is a "not this" click in the job and its layer; Apply hides it with the other prompt layers', async () => {
    const box = addBoxPrompt(scene);
    const red = dotAt('Ellipse 1', 200, 40, RED);
    scene.figma.select(scene.photo);
    const session = await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    const negative = { kind: 'point', x: 200, y: 40, negative: true };
    expect(job.prompts).toEqual([BOX, negative]);
    expect(job.promptLayers).toEqual([
      { id: box.id, name: 'Box', prompts: [BOX] },
      { id: red.id, name: 'Ellipse 1', prompts: [negative] },
    ]);
    expect(job.unusedLayers).toEqual([]);

    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(errors(scene.figma)).toEqual([]);
    expect([box.visible, red.visible]).toEqual([false, false]);
    expect(scene.figma.undoCommits).toBe(1);
    expect(snapshotNode(scene.photo)).toEqual(before.photo);
  });

  it('a dot named "- sky", "not this" or "Exclude logo" is a "not this" click whatever its colour', async () => {
    addBoxPrompt(scene);
    dotAt('- sky', 20, 20);
    dotAt('not this', 40, 20);
    dotAt('Exclude logo', 60, 20, { type: 'SOLID', color: { r: 0.1, g: 0.3, b: 0.9 } });
    // Words that merely start with "not" are ordinary names.
    dotAt('Note', 80, 20);
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(lastJob(scene.figma).prompts).toEqual([
      BOX,
      { kind: 'point', x: 20, y: 20, negative: true },
      { kind: 'point', x: 40, y: 20, negative: true },
      { kind: 'point', x: 60, y: 20, negative: true },
      { kind: 'point', x: 80, y: 20 },
    ]);
  });

  it('a tap of a red pencil (a tiny stroke, no fill) is a "not this" click too; orange, pink and dark red are not', async () => {
    addBoxPrompt(scene);
    const tap = scene.figma.shape('VECTOR', 'Vector', 4, 4, scene.board);
    tap.vectorPaths = [{ windingRule: 'NONE', data: 'M 0 0 L 4 4' }];
    tap.strokes = [RED];
    tap.x = 20 + 100 / 2 - 2;
    tap.y = 30 + 100 / 2 - 2;
    dotAt('Orange', 120, 20, { type: 'SOLID', color: { r: 1, g: 0.6, b: 0 } });
    dotAt('Pink', 140, 20, { type: 'SOLID', color: { r: 1, g: 0.75, b: 0.8 } });
    dotAt('Maroon', 160, 20, { type: 'SOLID', color: { r: 0.2, g: 0.02, b: 0.02 } });
    // Hidden or see-through red paint is not what the user sees.
    dotAt('Hidden red', 180, 20, { ...RED, visible: false });
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(lastJob(scene.figma).prompts).toEqual([
      BOX,
      { kind: 'point', x: 100, y: 100, negative: true },
      { kind: 'point', x: 120, y: 20 },
      { kind: 'point', x: 140, y: 20 },
      { kind: 'point', x: 160, y: 20 },
      { kind: 'point', x: 180, y: 20 },
    ]);
  });

  it('a name starting with "+" keeps a red dot a click on the object (a red brand colour)', async () => {
    dotAt('+ logo', 200, 40, RED);
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(lastJob(scene.figma).prompts).toEqual([{ kind: 'point', x: 200, y: 40 }]);
  });

  it('a big red rectangle is still a box, and a red stroke still a scribble', async () => {
    const box = addBoxPrompt(scene);
    box.fills = [RED];
    const stroke = scene.figma.shape('VECTOR', 'Red stroke', 50, 10, scene.board);
    stroke.vectorPaths = [{ windingRule: 'NONE', data: 'M 0 0 L 50 0' }];
    stroke.strokes = [RED];
    stroke.strokeWeight = 5;
    stroke.x = 30;
    stroke.y = 90;
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.prompts).toEqual([
      BOX,
      {
        kind: 'scribble',
        points: [
          { x: 20, y: 120 },
          { x: 120, y: 120 },
        ],
        width: 10,
      },
    ]);
  });

  it('a rectangle or stroke named "not …" is named, not used as what to keep', async () => {
    addDotPrompt(scene);
    const box = addBoxPrompt(scene);
    box.name = 'not the table';
    scene.figma.select(scene.photo);
    const session = await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.prompts).toEqual([{ kind: 'point', x: 200, y: 40 }]);
    expect(job.unusedLayers).toEqual([
      {
        id: box.id,
        name: 'not the table',
        reason: 'negative-not-a-dot',
        why: 'is named as "not this", but only a dot can say what to leave out (draw a small dot there)',
      },
    ]);
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(box.visible).toBe(true);
  });

  it('a locked red dot is not used, and is named as locked', async () => {
    addBoxPrompt(scene);
    const red = dotAt('Red dot', 200, 40, RED);
    red.locked = true;
    scene.figma.select(scene.photo);
    const session = await startSession(scene, 'prompts');
    const job = lastJob(scene.figma);
    expect(job.prompts).toEqual([BOX]);
    expect(job.unusedLayers.map((l) => [l.name, l.reason, l.why])).toEqual([
      ['Red dot', 'locked', 'is locked (unlock it to use it)'],
    ]);
    await session.receive(applyOf(job.jobId, matte(), 'cutout'));
    expect(red.visible).toBe(true);
  });

  it('only "not this" clicks: refused before any job, naming them and what to add; nothing written', async () => {
    const red = dotAt('Ellipse 1', 200, 40, RED);
    const named = dotAt('- sky', 20, 20);
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(scene.photo);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toEqual([
      'Every prompt shape over "Photo" is a "not this" click ("Ellipse 1", "- sky"): it says what to leave out, ' +
        'but nothing says what to keep. Add a rectangle, a dot or a stroke on the object to keep ' +
        '(a red dot means "not this" unless its name starts with "+").',
    ]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expect([red.visible, named.visible]).toEqual([true, true]);
    expectNothingWritten(scene, before);
  });

  it('in a batch, an image with only "not this" clicks refuses the whole run', async () => {
    addBoxPrompt(scene);
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 64 });
    second.x = 300;
    second.y = 200;
    const red = scene.figma.shape('ELLIPSE', 'Red', 6, 6, scene.board);
    red.fills = [RED];
    red.x = 340;
    red.y = 240;
    before.tree = tree(scene.figma.doc.page);
    scene.figma.select(scene.photo, second);
    await startSession(scene, 'prompts');
    expect(errors(scene.figma)).toHaveLength(1);
    expect(errors(scene.figma)[0]).toMatch(/^Every prompt shape over "Second" is a "not this" click \("Red"\)/);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expectNothingWritten(scene, before);
  });
});
