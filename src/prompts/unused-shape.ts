// A candidate prompt shape that gives no prompt, before it is put into words for the panel.
import type { UnusedShapeReason } from '../../core/messages';

export interface UnusedShape {
  node: SceneNode;
  reason: UnusedShapeReason;
  /** The hidden or locked layer holding it, for 'in-hidden-layer' / 'in-locked-layer'. */
  container: string | null;
}
