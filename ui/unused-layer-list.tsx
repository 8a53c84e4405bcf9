// The shapes the sandbox found over the image (or selected) but did not use as prompts, each with
// its reason: a locked or stray shape must not be left out without a word.
import type { UnusedLayer } from '../core/messages';

export function UnusedLayerList({ layers }: { layers: ReadonlyArray<UnusedLayer> }) {
  return (
    <div class="unused-layers" data-testid="unused-layers">
      <div class="legend">Not used as prompts</div>
      <ul>
        {layers.map((layer) => (
          <li key={layer.id} data-testid={`unused-layer-${layer.id}`}>
            <span class="layer-name">{layer.name}</span> {layer.why}
          </li>
        ))}
      </ul>
    </div>
  );
}
