// The job's prompts drawn over the input image, as the model will read them.
import type { Prompt } from '../core/prompt-types';

/**
 * A "not this" click: red with a minus bar, so it reads as "leave out" next to the blue clicks on
 * the object, also for a user who cannot tell the colours apart.
 */
function NotThisClick({ x, y, r, line }: { x: number; y: number; r: number; line: number }) {
  return (
    <g class="prompt-not-this">
      <title>not this</title>
      <circle cx={x} cy={y} r={r} stroke-width={line} />
      <line x1={x - r * 0.6} y1={y} x2={x + r * 0.6} y2={y} stroke-width={Math.max(line, r * 0.3)} />
    </g>
  );
}

/**
 * Prompts in source pixels, drawn over the displayed image (viewBox = source size). A point is
 * drawn at the radius the model sees (model.json's pointRadiusFraction of the letterboxed side,
 * which is the image's longer side); until the model's files have arrived, as a small dot.
 */
export function PromptOverlay({
  prompts,
  width,
  height,
  pointRadiusFraction,
}: {
  prompts: Prompt[];
  width: number;
  height: number;
  pointRadiusFraction: number | null;
}) {
  const line = Math.max(width, height) / 250;
  const r = pointRadiusFraction === null ? line : Math.max(width, height) * pointRadiusFraction;
  return (
    <svg
      class="overlay"
      role="img"
      aria-label="Prompts on the photo"
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      data-testid="prompt-overlay"
    >
      {prompts.map((p, i) => {
        if (p.kind === 'box') {
          return (
            <rect key={i} class="prompt-box" x={p.x} y={p.y} width={p.width} height={p.height} stroke-width={line} />
          );
        }
        if (p.kind === 'point' && p.negative) return <NotThisClick key={i} x={p.x} y={p.y} r={r} line={line} />;
        if (p.kind === 'point') {
          return <circle key={i} class="prompt-point" cx={p.x} cy={p.y} r={r} stroke-width={line} />;
        }
        return (
          <polyline
            key={i}
            class="prompt-scribble"
            points={p.points.map((q) => `${q.x},${q.y}`).join(' ')}
            stroke-width={Math.max(p.width, line)}
          />
        );
      })}
    </svg>
  );
}
