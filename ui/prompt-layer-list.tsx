// The canvas layers the sandbox read as prompts for the image on screen. Apply hides exactly the
// ticked ones; unticking one (an ordinary design layer that happened to overlap the photo) leaves
// it out of the matte and keeps it visible.
import type { Prompt } from '../core/prompt-types';
import { isNegativeClick } from '../core/prompts';
import type { JobView } from './state';

export function PromptLayerList({ job, onToggle }: { job: JobView; onToggle: (layerId: string) => void }) {
  return (
    <fieldset class="prompt-layers" data-testid="prompt-layers">
      <legend>Prompt layers (hidden on Apply; untick one to keep it)</legend>
      {job.promptLayers.map((layer) => (
        <label key={layer.id} title={layer.name} class={layer.prompts.some(isNegativeClick) ? 'negative' : undefined}>
          <input
            type="checkbox"
            checked={!job.excluded.includes(layer.id)}
            disabled={job.phase !== 'review'}
            onChange={() => onToggle(layer.id)}
            data-testid={`prompt-layer-${layer.id}`}
          />
          <span class="layer-name">{layer.name}</span>
          <span class="layer-kind">{describePrompts(layer.prompts)}</span>
        </label>
      ))}
    </fieldset>
  );
}

export function describePrompts(prompts: ReadonlyArray<Prompt>): string {
  const count = (kind: Prompt['kind']) => prompts.filter((p) => p.kind === kind && !isNegativeClick(p)).length;
  const parts: string[] = [];
  const boxes = count('box');
  const points = count('point');
  const notThis = prompts.filter(isNegativeClick).length;
  const strokes = count('scribble');
  if (boxes) parts.push(boxes === 1 ? 'box' : `${boxes} boxes`);
  if (points) parts.push(points === 1 ? 'dot' : `${points} dots`);
  if (notThis) parts.push(notThis === 1 ? '"not this" dot' : `${notThis} "not this" dots`);
  if (strokes) parts.push(strokes === 1 ? 'stroke' : `${strokes} strokes`);
  return parts.join(', ');
}
