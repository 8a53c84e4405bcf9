// The panel. Reads the controller's state; every action goes through the controller.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MatteOutput } from '../core/messages';
import type { Prompt } from '../core/prompt-types';
import type { RgbaImage } from '../core/rgba-image';
import { backendLabel } from './backend';
import type { Controller } from './controller';
import { paintCanvas } from './preview';
import { PromptLayerList } from './prompt-layer-list';
import { isBusy, statusLine, type JobView, type UiState } from './state';

function useController(ctrl: Controller): UiState {
  const [, setTick] = useState(0);
  useEffect(() => ctrl.subscribe(() => setTick((t) => t + 1)), [ctrl]);
  return ctrl.state;
}

function ImageCanvas({ image, version, className }: { image: RgbaImage; version: number; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintCanvas(ref.current, image);
  }, [image, version]);
  return <canvas ref={ref} class={className} width={image.width} height={image.height} />;
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
    <svg class="overlay" viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" data-testid="prompt-overlay">
      {prompts.map((p, i) => {
        if (p.kind === 'box') {
          return <rect key={i} class="prompt-box" x={p.x} y={p.y} width={p.width} height={p.height} stroke-width={line} />;
        }
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

function Progress({ value }: { value: number | null }) {
  if (value === null) {
    return (
      <div class="progress indeterminate" role="progressbar" aria-busy="true">
        <div class="bar" />
      </div>
    );
  }
  return (
    <div class="progress" role="progressbar" aria-valuenow={Math.round(value * 100)} aria-valuemin={0} aria-valuemax={100}>
      <div class="bar" style={{ width: `${Math.round(value * 100)}%` }} />
    </div>
  );
}

function OutputOption({ value, label, current, onPick }: {
  value: MatteOutput;
  label: string;
  current: MatteOutput;
  onPick: (output: MatteOutput) => void;
}) {
  return (
    <label>
      <input type="radio" name="output" checked={current === value} onChange={() => onPick(value)} data-testid={`output-${value}`} />
      {label}
    </label>
  );
}

function timingText(job: JobView): string {
  const t = job.timings;
  if (!t) return '';
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
  const enc = t.cached ? 'encoder reused' : `encoder ${ms(t.encoder)}`;
  return `${enc} · head ${ms(t.head)} · upsample ${ms(t.post)} · total ${ms(t.total)}`;
}

export function App({ ctrl }: { ctrl: Controller }) {
  const state = useController(ctrl);
  const { job, model } = state;
  const display = ctrl.display;
  const busy = isBusy(job);
  const working = job !== null && ['waiting-model', 'decoding', 'encoding', 'matting', 'applying'].includes(job.phase);
  const progress = model.status === 'loading' && !job ? model.progress : working ? null : undefined;
  const result = state.output === 'cutout' ? display.cutout : display.mask;

  return (
    <div class="panel">
      <header>
        <h1>SMat</h1>
        <span
          class={`backend ${state.backend ?? 'unknown'}`}
          data-testid="backend"
          title={state.backendReason}
        >
          {state.backend ? backendLabel(state.backend) : 'Detecting backend…'}
        </span>
      </header>

      <div class="actions">
        <button class="primary" disabled={busy} onClick={() => ctrl.requestRun('auto')} data-testid="run-auto">
          Auto Matte
        </button>
        <button disabled={busy} onClick={() => ctrl.requestRun('prompts')} data-testid="run-prompts">
          Matte with prompts
        </button>
      </div>

      <div class="status" data-testid="status" data-phase={job?.phase ?? model.status}>
        {statusLine(state)}
      </div>
      {progress !== undefined && <Progress value={progress} />}

      {model.status === 'error' && (
        <div class="message error" role="alert" data-testid="model-error">
          The model failed to load: {model.error}
        </div>
      )}
      {state.notice && (
        <div class="message notice" role="status" data-testid="notice">
          {state.notice}
          <button class="link" onClick={() => ctrl.dispatch({ type: 'notice', message: null })}>
            Dismiss
          </button>
        </div>
      )}
      {state.error && (
        <div class="message error" role="alert" data-testid="error">
          {state.error}
        </div>
      )}

      {job && (
        <section class="job" data-testid="job">
          <div class="job-title">
            {job.count > 1 && <span class="counter">Image {job.index + 1} of {job.count}</span>}
            <span class="name" title={job.nodeName}>
              {job.nodeName}
            </span>
            <span class="mode">{job.mode === 'auto' ? 'Auto' : `${job.prompts.length} prompt${job.prompts.length === 1 ? '' : 's'}`}</span>
          </div>
          <div class="views">
            <figure>
              <div class="frame">
                {display.source ? (
                  <ImageCanvas image={display.source} version={display.version} />
                ) : (
                  <div class="placeholder" style={{ aspectRatio: `${job.width} / ${job.height}` }} />
                )}
                <PromptOverlay
                  prompts={job.prompts}
                  width={job.width}
                  height={job.height}
                  pointRadiusFraction={ctrl.modelConfig?.pointRadiusFraction ?? null}
                />
              </div>
              <figcaption>Input</figcaption>
            </figure>
            <figure>
              <div class={`frame ${state.output === 'cutout' ? 'checker' : ''}`}>
                {result ? (
                  <ImageCanvas image={result} version={display.version} className="result" />
                ) : (
                  <div class="placeholder" style={{ aspectRatio: `${job.width} / ${job.height}` }} />
                )}
              </div>
              <figcaption>{state.output === 'cutout' ? 'Cut-out' : 'Luminance mask'}</figcaption>
            </figure>
          </div>
          {job.promptLayers.length > 0 && <PromptLayerList job={job} onToggle={(id) => ctrl.toggleLayer(id)} />}
          <fieldset class="output">
            <OutputOption value="cutout" label="Cut-out" current={state.output} onPick={(o) => ctrl.setOutput(o)} />
            <OutputOption value="mask" label="Luminance mask" current={state.output} onPick={(o) => ctrl.setOutput(o)} />
            <label title="Give soft edges (hair, fur, blur) the subject's own colour instead of a tint of the old background">
              <input
                type="checkbox"
                checked={state.decontaminate}
                disabled={state.output !== 'cutout'}
                onChange={(e) => ctrl.setDecontaminate((e.currentTarget as HTMLInputElement).checked)}
                data-testid="decontaminate"
              />
              Decontaminate colours
            </label>
          </fieldset>
          <div class="buttons">
            <button onClick={() => ctrl.skip()} disabled={job.phase === 'applying'} data-testid="cancel">
              {job.phase === 'failed' ? 'Dismiss' : job.count > 1 ? 'Skip' : 'Cancel'}
            </button>
            <button
              class="primary"
              onClick={() => void ctrl.apply()}
              disabled={job.phase !== 'review' || (job.mode === 'prompts' && job.prompts.length === 0)}
              data-testid="apply"
            >
              Apply
            </button>
          </div>
          {job.timings && (
            <div class="timings" data-testid="timings">
              {job.backendUsed ? `${backendLabel(job.backendUsed)}: ` : ''}
              {timingText(job)}
            </div>
          )}
        </section>
      )}

      {!job && model.status !== 'error' && (
        <p class="hint">
          Select one or more images on the canvas. <b>Auto Matte</b> finds the main subject; <b>Matte with prompts</b>{' '}
          uses a rectangle, dots or a pen stroke drawn over the image to pick the object. Everything runs on this
          computer.
        </p>
      )}
    </div>
  );
}
