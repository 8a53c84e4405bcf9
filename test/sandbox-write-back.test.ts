// What a result holds and where it goes (issue 9, "Figma write-back"), against the typed fake API:
// frames/components/instances as sources, images inside instances, paints/strokes/effects of the
// source, which prompt layers are used and hidden, and malformed UI messages.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ApplyMessage, JobMessage, SandboxToUi } from '../core/messages';
import type { Affine } from '../src/geometry/affine';
import { MatteSession } from '../src/session/matte-session';
import { addBoxPrompt, addDotPrompt, addPhoto, buildScene, snapshotNode, type Scene } from './fake-figma/build-scene';
import type { FakeFigma } from './fake-figma/fake-figma-api';
import { FakeContainer, type FakeShapeNode, resetFakeIds, type FakeSceneNode } from './fake-figma/fake-nodes';
import { jpegHeader, pngHeader } from './fake-figma/image-bytes';

const posted = (figma: FakeFigma) => figma.posted as SandboxToUi[];
const ofType = <T extends SandboxToUi['type']>(figma: FakeFigma, type: T) =>
  posted(figma).filter((m): m is Extract<SandboxToUi, { type: T }> => m.type === type);
const errors = (figma: FakeFigma) => ofType(figma, 'error').map((m) => m.message);
const lastJob = (figma: FakeFigma): JobMessage => {
  const jobs = ofType(figma, 'job');
  expect(jobs.length).toBeGreaterThan(0);
  return jobs[jobs.length - 1];
};
const matte = (width = 400, height = 200) => pngHeader(width, height);

function tree(node: FakeContainer): unknown {
  return node.children.map((c) => (c instanceof FakeContainer ? { [c.id]: tree(c) } : c.id));
}

function near(a: Affine, b: Affine): void {
  for (let r = 0; r < 2; r++) for (let c = 0; c < 3; c++) expect(a[r][c]).toBeCloseTo(b[r][c], 9);
}

let scene: Scene;
beforeEach(() => {
  resetFakeIds();
  scene = buildScene();
});

async function run(
  mode: 'auto' | 'prompts',
  ...selection: FakeSceneNode[]
): Promise<{ session: MatteSession; job: JobMessage }> {
  scene.figma.select(...selection);
  const session = new MatteSession(scene.figma);
  await session.receive({ type: 'ui-ready' });
  await session.receive({ type: 'run', mode });
  expect(errors(scene.figma)).toEqual([]);
  return { session, job: lastJob(scene.figma) };
}

function applyOf(
  job: JobMessage,
  output: 'cutout' | 'mask',
  promptLayerIds = (job.promptLayers ?? []).map((l) => l.id),
  png = matte(job.width, job.height),
): ApplyMessage {
  return { type: 'apply', jobId: job.jobId, pngBytes: png, output, promptLayerIds };
}

function resultAbove(parent: FakeContainer, node: FakeSceneNode): FakeSceneNode {
  return parent.children[parent.children.indexOf(node) + 1];
}

/** A frame-like node filled with a 400x200 photo, holding a title, a button and a prompt box. */
function cardWithContent(type: 'FRAME' | 'COMPONENT' | 'INSTANCE'): FakeContainer {
  const card = scene.figma.frame('Card', 200, 100, scene.board, type);
  card.x = 300;
  card.y = 200;
  card.topLeftRadius = card.topRightRadius = card.bottomLeftRadius = card.bottomRightRadius = 12;
  card.cornerSmoothing = 0.6;
  const { hash } = scene.figma.storeImage(pngHeader(400, 200), 400, 200);
  card.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
  const title = scene.figma.shape('RECTANGLE', 'Title', 120, 20, card);
  title.fills = [{ type: 'SOLID', color: { r: 0, g: 0, b: 0 } }];
  const box = scene.figma.shape('RECTANGLE', 'Prompt box', 60, 40, card);
  box.x = 20;
  box.y = 20;
  return card;
}

describe('1. sources with children: the result holds only the image', () => {
  for (const type of ['FRAME', 'COMPONENT', 'INSTANCE'] as const) {
    it(`${type}: cut-out and mask hold no copies of the children`, async () => {
      const card = cardWithContent(type);
      const childrenBefore = tree(card);
      const { session, job } = await run('auto', card);
      await session.receive(applyOf(job, 'cutout'));
      expect(errors(scene.figma)).toEqual([]);
      const cutout = resultAbove(scene.board, card) as FakeShapeNode;
      expect(cutout.name).toBe('Card (matte)');
      // A plain rectangle: no children, not a new main component, not an instance.
      expect(cutout.type).toBe('RECTANGLE');
      expect('children' in cutout).toBe(false);
      expect([cutout.width, cutout.height]).toEqual([200, 100]);
      expect(cutout.relativeTransform).toEqual(card.relativeTransform);
      expect([cutout.topLeftRadius, cutout.bottomRightRadius, cutout.cornerSmoothing]).toEqual([12, 12, 0.6]);
      expect((cutout.fills as ImagePaint[]).map((p) => p.type)).toEqual(['IMAGE']);

      const second = await run('auto', card);
      await second.session.receive(applyOf(second.job, 'mask'));
      expect(errors(scene.figma)).toEqual([]);
      const group = resultAbove(scene.board, card) as FakeContainer;
      expect(group.type).toBe('GROUP');
      expect(group.children.map((c) => [c.name, c.type])).toEqual([
        ['Card (mask)', 'RECTANGLE'],
        ['Card', 'RECTANGLE'],
      ]);
      for (const layer of group.children) near(layer.absoluteTransform, card.absoluteTransform);
      // Nothing of the card was touched, and nothing else appeared on the page.
      expect(tree(card)).toEqual(childrenBefore);
      expect(scene.figma.doc.page.children.map((c) => c.name)).toEqual(['Board']);
    });
  }
});

describe('2. images inside component instances', () => {
  function photoInInstance() {
    const hero = scene.figma.frame('Hero', 300, 200, scene.board, 'INSTANCE');
    hero.setTransform([
      [0, -1, 50],
      [1, 0, 340],
    ]); // rotated a quarter turn, to prove the page position is kept
    const inner = scene.figma.frame('Inner', 250, 150, hero);
    inner.x = 10;
    inner.y = 5;
    const photo = addPhoto(scene.figma, inner, 'Portrait', 200, 100, pngHeader(400, 200));
    photo.x = 15;
    photo.y = 20;
    return { hero, inner, photo };
  }

  for (const output of ['cutout', 'mask'] as const) {
    it(`${output}: written right above the outermost instance, at the source's place on the page`, async () => {
      const { hero, inner, photo } = photoInInstance();
      const heroBefore = tree(hero);
      const photoBefore = snapshotNode(photo);
      const { session, job } = await run('auto', photo);
      await session.receive(applyOf(job, output));
      expect(errors(scene.figma)).toEqual([]);
      expect(ofType(scene.figma, 'applied')).toHaveLength(1);
      const result = resultAbove(scene.board, hero);
      expect(result.name).toBe('Portrait (matte)');
      const layer = output === 'cutout' ? result : (result as FakeContainer).children[0];
      near(layer.absoluteTransform, photo.absoluteTransform);
      expect(tree(hero)).toEqual(heroBefore);
      expect(inner.children).toEqual([photo]);
      expect(snapshotNode(photo)).toEqual(photoBefore);
      expect(scene.figma.undoCommits).toBe(1);
    });
  }

  it('the fake refuses children inside an instance, as Figma does', () => {
    const { inner } = photoInInstance();
    const stray = scene.figma.shape('RECTANGLE', 'Stray', 10, 10);
    expect(() => inner.appendChild(stray)).toThrow(/inside of an instance/);
    expect(() => scene.figma.group([stray as never], inner as never)).toThrow(/instance/);
  });
});

describe('3. paints, strokes, effects, opacity and blend mode of the source', () => {
  function styledPhoto() {
    const image = (scene.photo.fills as Paint[])[1] as ImagePaint;
    scene.photo.fills = [
      { type: 'SOLID', color: { r: 1, g: 1, b: 1 } },
      image,
      { type: 'SOLID', color: { r: 1, g: 0, b: 0 }, opacity: 0.3 }, // a colour overlay above the photo
    ];
    scene.photo.strokes = [{ type: 'SOLID', color: { r: 0, g: 0, b: 1 } }];
    scene.photo.effects = [
      {
        type: 'DROP_SHADOW',
        color: { r: 0, g: 0, b: 0, a: 0.5 },
        offset: { x: 0, y: 4 },
        radius: 8,
        visible: true,
        blendMode: 'NORMAL',
      },
    ];
    scene.photo.opacity = 0.5;
    scene.photo.blendMode = 'MULTIPLY';
    return image;
  }

  it('cut-out: only the image paint (filters and crop kept), no strokes, effects, opacity or blend mode', async () => {
    const image = styledPhoto();
    const before = snapshotNode(scene.photo);
    const { session, job } = await run('auto', scene.photo);
    await session.receive(applyOf(job, 'cutout'));
    const result = resultAbove(scene.board, scene.photo) as FakeShapeNode;
    const [paint, ...others] = result.fills as ImagePaint[];
    expect(others).toEqual([]);
    expect(paint).toEqual({ ...image, imageHash: paint.imageHash });
    expect(paint.imageHash).not.toBe(image.imageHash);
    expect(result.strokes).toEqual([]);
    expect(result.effects).toEqual([]);
    expect([result.opacity, result.blendMode]).toEqual([1, 'PASS_THROUGH']);
    expect(snapshotNode(scene.photo)).toEqual(before);
    expect(scene.photo.strokes).toHaveLength(1);
  });

  it('mask: the grey matte alone (no filters, paint opacity or blend mode), placed like the photo', async () => {
    const image = styledPhoto();
    scene.photo.fills = (scene.photo.fills as Paint[]).map((p) =>
      p.type === 'IMAGE' ? { ...p, blendMode: 'SCREEN' } : p,
    );
    const { session, job } = await run('auto', scene.photo);
    await session.receive(applyOf(job, 'mask'));
    const group = resultAbove(scene.board, scene.photo) as FakeContainer;
    const [mask, photo] = group.children as FakeShapeNode[];
    expect(mask.fills).toEqual([
      { type: 'IMAGE', scaleMode: 'FILL', rotation: 0, imageHash: (mask.fills as ImagePaint[])[0].imageHash },
    ]);
    expect((mask.fills as ImagePaint[])[0].imageHash).not.toBe(image.imageHash);
    expect(photo.fills).toEqual([{ ...image, blendMode: 'SCREEN' }]);
    for (const layer of [mask, photo]) {
      expect(layer.strokes).toEqual([]);
      expect(layer.effects).toEqual([]);
      expect([layer.opacity, layer.blendMode]).toEqual([1, 'PASS_THROUGH']);
    }
    expect([mask.isMask, mask.maskType, photo.isMask]).toEqual([true, 'LUMINANCE', false]);
  });

  it('keeps a CROP transform on the mask, drops the paint filters', async () => {
    const { hash } = scene.figma.storeImage(pngHeader(400, 200), 400, 200);
    const crop: Transform = [
      [0.5, 0, 0.25],
      [0, 0.5, 0.1],
    ];
    scene.photo.fills = [
      { type: 'IMAGE', imageHash: hash, scaleMode: 'CROP', imageTransform: crop, filters: { exposure: 1 } },
    ];
    const { session, job } = await run('auto', scene.photo);
    await session.receive(applyOf(job, 'mask'));
    const [mask] = (resultAbove(scene.board, scene.photo) as FakeContainer).children as FakeShapeNode[];
    expect(mask.fills).toEqual([
      { type: 'IMAGE', scaleMode: 'CROP', imageTransform: crop, imageHash: (mask.fills as ImagePaint[])[0].imageHash },
    ]);
  });
});

describe('4. prompt layers', () => {
  function shapes() {
    const box = addBoxPrompt(scene);
    const dot = addDotPrompt(scene);
    const design = scene.figma.shape('RECTANGLE', 'Locked design', 80, 30, scene.board);
    design.x = 30;
    design.y = 90;
    design.locked = true;
    const lockedGroup = scene.figma.frame('Locked group', 100, 100, scene.board);
    lockedGroup.locked = true;
    const inLocked = scene.figma.shape('RECTANGLE', 'Inside locked group', 40, 20, lockedGroup);
    inLocked.x = 40;
    inLocked.y = 40;
    return { box, dot, design, inLocked };
  }

  it('locked layers (or layers in a locked parent) are never prompts and are never hidden', async () => {
    const { design, inLocked } = shapes();
    const { session, job } = await run('prompts', scene.photo, inLocked);
    expect(job.promptLayers.map((l) => l.name)).toEqual(['Box', 'Dot']);
    expect(job.prompts).toEqual([
      { kind: 'box', x: 40, y: 20, width: 120, height: 80 },
      { kind: 'point', x: 200, y: 40 },
    ]);
    await session.receive(applyOf(job, 'cutout', [...job.promptLayers.map((l) => l.id), design.id]));
    expect(design.visible && inLocked.visible).toBe(true);
  });

  it('only locked shapes over the image: refused, naming the locks', async () => {
    const { box, dot } = shapes();
    box.locked = true;
    dot.locked = true;
    scene.figma.select(scene.photo);
    const session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    await session.receive({ type: 'run', mode: 'prompts' });
    expect(errors(scene.figma)[0]).toMatch(
      /^No prompt shape over "Photo" can be used: "Box" is locked .*; "Dot" is locked .*; "Locked design" is locked /,
    );
  });

  it('the job lists each prompt layer with its own prompts', async () => {
    const { box, dot } = shapes();
    const { job } = await run('prompts', scene.photo);
    expect(job.promptLayers).toEqual([
      { id: box.id, name: 'Box', prompts: [{ kind: 'box', x: 40, y: 20, width: 120, height: 80 }] },
      { id: dot.id, name: 'Dot', prompts: [{ kind: 'point', x: 200, y: 40 }] },
    ]);
  });

  it('Apply hides only the layers the panel still used; an excluded one, or one not offered, stays visible', async () => {
    const { box, dot } = shapes();
    const far = scene.figma.shape('RECTANGLE', 'Unrelated', 20, 20, scene.board);
    far.x = 500;
    const { session, job } = await run('prompts', scene.photo);
    await session.receive(applyOf(job, 'cutout', [dot.id, far.id]));
    expect(errors(scene.figma)).toEqual([]);
    expect(dot.visible).toBe(false);
    expect(box.visible).toBe(true);
    expect(far.visible).toBe(true);
  });
});

describe('7. UI -> sandbox messages are checked at the boundary', () => {
  const CANNOT_USE = /^The SMat panel sent a message the plugin cannot use \(/;

  it('malformed messages become a clear error; nothing is written', async () => {
    const treeBefore = tree(scene.figma.doc.page);
    const session = new MatteSession(scene.figma);
    for (const bad of [
      null,
      'apply',
      42,
      {},
      { type: 'nonsense' },
      { type: 'run', mode: 'everything' },
      { type: 'skip' },
      { type: 'failed', jobId: 7, message: 'x' },
      { type: 'assets-request', names: ['weights.bin'] },
    ]) {
      await session.receive(bad);
    }
    const messages = errors(scene.figma);
    expect(messages).toHaveLength(9);
    for (const m of messages) expect(m).toMatch(CANNOT_USE);
    expect(messages[4]).toMatch(/unknown message type "nonsense"/);
    expect(messages[5]).toMatch(/mode "everything"/);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
  });

  it('a malformed Apply for the current job ends that job and the batch moves on', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 48 });
    const { session, job } = await run('auto', scene.photo, second);
    const treeBefore = tree(scene.figma.doc.page);
    await session.receive({
      type: 'apply',
      jobId: job.jobId,
      pngBytes: 'not bytes',
      output: 'cutout',
      promptLayerIds: [],
    });
    expect(errors(scene.figma)[0]).toMatch(/"apply" carries "not bytes" instead of PNG bytes/);
    expect(tree(scene.figma.doc.page)).toEqual(treeBefore);
    const next = lastJob(scene.figma);
    expect(next.nodeName).toBe('Second');
    await session.receive({
      type: 'apply',
      jobId: next.jobId,
      pngBytes: matte(64, 48),
      output: 'sideways',
      promptLayerIds: [],
    });
    expect(errors(scene.figma)[1]).toMatch(/output "sideways"/);
    expect(ofType(scene.figma, 'done')).toHaveLength(1);
    expect(scene.figma.undoCommits).toBe(0);
  });

  it('a malformed message naming no job ends the batch in progress', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 48 });
    const { session } = await run('auto', scene.photo, second);
    await session.receive({ type: 42 });
    expect(errors(scene.figma)[0]).toMatch(CANNOT_USE);
    expect(ofType(scene.figma, 'done')).toHaveLength(1);
    expect(session.currentJobId).toBeNull();
  });
});

describe('9. a failed download of the source image is reported as such', () => {
  it('says the download failed, not that the file is not a PNG or JPEG', async () => {
    const node = scene.figma.shape('RECTANGLE', 'Remote photo', 100, 100, scene.board);
    const { hash } = scene.figma.storeImage(pngHeader(400, 200), 400, 200, 'Network request failed');
    node.fills = [{ type: 'IMAGE', imageHash: hash, scaleMode: 'FILL' }];
    scene.figma.select(node);
    const session = new MatteSession(scene.figma);
    await session.receive({ type: 'ui-ready' });
    await session.receive({ type: 'run', mode: 'auto' });
    expect(errors(scene.figma)).toEqual([
      'Couldn\'t download the image in "Remote photo" (Network request failed). Check the connection and run SMat again.',
    ]);
    expect(ofType(scene.figma, 'job')).toHaveLength(0);
  });
});

describe('9. Refine with several results selected', () => {
  it('one run refines each selected result against its own source', async () => {
    const second = addPhoto(scene.figma, scene.board, 'Second', 100, 100, jpegHeader(), { width: 64, height: 48 });
    const first = await run('auto', scene.photo, second);
    await first.session.receive(applyOf(first.job, 'cutout'));
    await first.session.receive(applyOf(lastJob(scene.figma), 'cutout', [], matte(64, 48)));
    const results = scene.board.children.filter((c) => c.name.endsWith('(matte)'));
    expect(results.map((r) => r.getRelaunchData())).toEqual([
      { refine: 'Run SMat again with the current shapes' },
      { refine: 'Run SMat again with the current shapes' },
    ]);
    const box = scene.figma.shape('RECTANGLE', 'Box', 300, 300, scene.board);
    scene.figma.posted.length = 0;
    scene.figma.select(...results);
    const session = new MatteSession(scene.figma);
    await session.request({ mode: 'refine' });
    await session.receive({ type: 'ui-ready' });
    const job = lastJob(scene.figma);
    expect(job).toMatchObject({ nodeName: 'Photo', index: 0, count: 2, mode: 'prompts' });
    expect(job.promptLayers.map((l) => l.id)).toEqual([box.id]);
  });
});
