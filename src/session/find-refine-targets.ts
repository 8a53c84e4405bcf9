// Refine (relaunch button on a result): the result remembers its source's id; the new run works on
// the source with the shapes that are on the canvas now, and replaces that result.
import type { SandboxApi } from '../figma-api';
import { RESULT_SOURCE_KEY } from '../write-back/result-markers';
import type { RunTarget } from './prepare-jobs';
import { REFINE_NOTHING_SELECTED, REFINE_SOURCE_MISSING } from './user-messages';

export type RefineTargets = { ok: true; targets: RunTarget[] } | { ok: false; message: string };

export async function findRefineTargets(api: SandboxApi, selection: ReadonlyArray<SceneNode>): Promise<RefineTargets> {
  const results = selection.filter((node) => node.getPluginData(RESULT_SOURCE_KEY) !== '');
  if (results.length === 0) return { ok: false, message: REFINE_NOTHING_SELECTED };
  const targets: RunTarget[] = [];
  for (const result of results) {
    const source = await api.getNodeByIdAsync(result.getPluginData(RESULT_SOURCE_KEY));
    if (!source || source.removed || !isSceneNode(source)) return { ok: false, message: REFINE_SOURCE_MISSING };
    targets.push({ node: source, replaces: result });
  }
  return { ok: true, targets };
}

function isSceneNode(node: BaseNode): node is SceneNode {
  return node.type !== 'DOCUMENT' && node.type !== 'PAGE';
}
