// Turns the nodes of a run into jobs, or into one reason the whole run is refused. Everything is
// checked before the first job goes out, so a refused run has sent and written nothing.
import type { MatteMode } from '../../core/messages';
import type { Prompt } from '../../core/prompt-types';
import type { SandboxApi } from '../figma-api';
import { isImageCapableNode } from '../images/image-node';
import { readImageSource, type ImageSource } from '../images/read-image-source';
import { collectImagePrompts, type PromptLayerOfShape } from '../prompts/collect-image-prompts';
import { findPromptShapes } from '../prompts/find-prompt-shapes';
import type { PromptShapeNode } from '../prompts/prompt-shape-node';
import { findResultPlace } from '../write-back/find-result-place';
import { NOTHING_SELECTED, NO_IMAGE_FILL, allPromptsOutside, noPromptShapes, notOnPage } from './user-messages';

export interface PreparedJob {
  source: ImageSource;
  prompts: Prompt[];
  usedShapes: PromptShapeNode[];
  /** The shapes behind `prompts`, each with its own prompts, for the panel's list. */
  promptLayers: PromptLayerOfShape[];
  replaces: SceneNode | null;
}

export interface RunTarget {
  node: SceneNode;
  /** Refine: the earlier result to replace. */
  replaces?: SceneNode | null;
}

export type PrepareResult = { ok: true; jobs: PreparedJob[] } | { ok: false; message: string };

export async function prepareJobs(
  api: SandboxApi,
  mode: MatteMode,
  targets: ReadonlyArray<RunTarget>,
  selection: ReadonlyArray<SceneNode>,
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
    const read = await readImageSource(api, target.node);
    if (read.kind === 'image') sources.push({ source: read.source, replaces: target.replaces ?? null });
    else if (read.kind === 'refused') problems.push(read.message);
  }
  if (problems.length > 0) return { ok: false, message: problems.join(' ') };
  if (sources.length === 0) return { ok: false, message: NO_IMAGE_FILL };

  const jobs: PreparedJob[] = [];
  for (const { source, replaces } of sources) {
    if (mode === 'auto') {
      jobs.push({ source, prompts: [], usedShapes: [], promptLayers: [], replaces });
      continue;
    }
    const shapes = findPromptShapes(source.node, selection);
    if (shapes.length === 0) return { ok: false, message: noPromptShapes(source.node.name) };
    const { prompts, usedShapes, layers } = collectImagePrompts(source, shapes);
    if (prompts.length === 0) return { ok: false, message: allPromptsOutside(source.node.name) };
    jobs.push({ source, prompts, usedShapes, promptLayers: layers, replaces });
  }
  return { ok: true, jobs };
}
