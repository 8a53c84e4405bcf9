// Turns the nodes of a run into jobs, or into one reason the whole run is refused. Everything is
// checked before the first job goes out, so a refused run has sent and written nothing.
import type { MatteMode, UnusedLayer } from '../../core/messages';
import type { Prompt } from '../../core/prompt-types';
import { isNegativeClick } from '../../core/prompts';
import type { SandboxApi } from '../figma-api';
import { isImageCapableNode } from '../images/image-node';
import { readImageSource, type ImageSource } from '../images/read-image-source';
import { collectImagePrompts, type PromptLayerOfShape } from '../prompts/collect-image-prompts';
import { noUsablePromptShape, toUnusedLayer } from '../prompts/explain-unused-shapes';
import { findPromptShapes } from '../prompts/find-prompt-shapes';
import type { PromptShapeNode } from '../prompts/prompt-shape-node';
import { findResultPlace } from '../write-back/find-result-place';
import { NOTHING_SELECTED, NO_IMAGE_FILL, noPromptShapes, notOnPage, onlyNotThisClicks } from './user-messages';

export interface PreparedJob {
  source: ImageSource;
  prompts: Prompt[];
  usedShapes: PromptShapeNode[];
  /** The shapes behind `prompts`, each with its own prompts, for the panel's list. */
  promptLayers: PromptLayerOfShape[];
  /** Shapes over the image or selected that give no prompt, with the reason, for the panel. */
  unusedLayers: UnusedLayer[];
  replaces: SceneNode | null;
}

export interface RunTarget {
  node: SceneNode;
  /** Refine: the earlier result to replace. */
  replaces?: SceneNode | null;
}

export type PrepareResult = { ok: true; jobs: PreparedJob[] } | { ok: false; message: string };

/**
 * `heldImageHash`: the image the panel holds decoded. Only the batch's first image may go without
 * its bytes: the panel keeps one decoded image, and any job before it would replace that one.
 */
export async function prepareJobs(
  api: SandboxApi,
  mode: MatteMode,
  targets: ReadonlyArray<RunTarget>,
  selection: ReadonlyArray<SceneNode>,
  heldImageHash: string | null = null,
): Promise<PrepareResult> {
  if (targets.length === 0) return { ok: false, message: NOTHING_SELECTED };

  const sources: Array<{ source: ImageSource; replaces: SceneNode | null }> = [];
  const problems: string[] = [];
  for (const target of targets) {
    if (!isImageCapableNode(target.node)) continue;
    // Before any work: a result needs a parent that takes children (see find-result-place.ts).
    if (!findResultPlace(target.node)) {
      problems.push(notOnPage(target.node.name));
      continue;
    }
    const read = await readImageSource(api, target.node, sources.length === 0 ? heldImageHash : null);
    if (read.kind === 'image') sources.push({ source: read.source, replaces: target.replaces ?? null });
    else if (read.kind === 'refused') problems.push(read.message);
  }
  if (problems.length > 0) return { ok: false, message: problems.join(' ') };
  if (sources.length === 0) return { ok: false, message: NO_IMAGE_FILL };

  const jobs: PreparedJob[] = [];
  for (const { source, replaces } of sources) {
    if (mode === 'auto') {
      jobs.push({ source, prompts: [], usedShapes: [], promptLayers: [], unusedLayers: [], replaces });
      continue;
    }
    const found = findPromptShapes(source.node, selection);
    const collected = collectImagePrompts(source, found.shapes);
    const unusedLayers = [...found.unused, ...collected.unused].map(toUnusedLayer);
    if (collected.prompts.length === 0) {
      const name = source.node.name;
      return {
        ok: false,
        message: unusedLayers.length ? noUsablePromptShape(name, unusedLayers) : noPromptShapes(name),
      };
    }
    const { prompts, usedShapes, layers } = collected;
    // Refused here, before any job, rather than by the runner in the panel after the image was sent.
    if (prompts.every(isNegativeClick)) {
      const names = layers.map((layer) => layer.shape.name);
      return { ok: false, message: onlyNotThisClicks(source.node.name, names) };
    }
    jobs.push({ source, prompts, usedShapes, promptLayers: layers, unusedLayers, replaces });
  }
  return { ok: true, jobs: withoutShapesUsedElsewhere(jobs) };
}

/**
 * With several images selected, a selected shape is meant for the image it lies over; naming it as
 * "outside the picture" of every other image would be noise.
 */
function withoutShapesUsedElsewhere(jobs: PreparedJob[]): PreparedJob[] {
  const used = new Set(jobs.flatMap((job) => job.usedShapes.map((shape) => shape.id)));
  return jobs.map((job) => ({
    ...job,
    unusedLayers: job.unusedLayers.filter((layer) => layer.reason !== 'outside-image' || !used.has(layer.id)),
  }));
}
