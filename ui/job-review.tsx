// The job on screen: its input with the prompts, the result, the output options and Apply.
import { useEffect, useRef } from 'preact/hooks';
import type { MatteOutput } from '../core/messages';
import type { RgbaImage } from '../core/rgba-image';
import { backendLabel } from './backend';
import type { Controller } from './controller';
import { paintCanvas } from './preview';
import { PromptLayerList } from './prompt-layer-list';
import { PromptOverlay } from './prompt-overlay';
import { canApply, type JobView, type UiState } from './state';
import { UnusedLayerList } from './unused-layer-list';

function ImageCanvas({ image, version, className }: { image: RgbaImage; version: number; className?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current) paintCanvas(ref.current, image);
  }, [image, version]);
  return <canvas ref={ref} class={className} width={image.width} height={image.height} />;
}

/** Holds the image's place (and aspect) until it is decoded or matted. */
function Placeholder({ job }: { job: JobView }) {
  return <div class="placeholder" style={{ aspectRatio: `${job.width} / ${job.height}` }} />;
}

function JobTitle({ job }: { job: JobView }) {
  return (
    <div class="job-title">
      {job.count > 1 && (
        <span class="counter">
          Image {job.index + 1} of {job.count}
        </span>
      )}
      <span class="name" title={job.nodeName}>
        {job.nodeName}
      </span>
      <span class="mode">
        {job.mode === 'auto' ? 'Auto' : `${job.prompts.length} prompt${job.prompts.length === 1 ? '' : 's'}`}
      </span>
    </div>
  );
}

function InputView({ ctrl, job }: { ctrl: Controller; job: JobView }) {
  const display = ctrl.display;
  return (
    <figure>
      <div class="frame">
        {display.source ? <ImageCanvas image={display.source} version={display.version} /> : <Placeholder job={job} />}
        <PromptOverlay
          prompts={job.prompts}
          width={job.width}
          height={job.height}
          pointRadiusFraction={ctrl.modelConfig?.pointRadiusFraction ?? null}
        />
      </div>
      <figcaption>Input</figcaption>
    </figure>
  );
}

function ResultView({ ctrl, job, output }: { ctrl: Controller; job: JobView; output: MatteOutput }) {
  const display = ctrl.display;
  const result = output === 'cutout' ? display.cutout : display.mask;
  return (
    <figure>
      <div class={`frame ${output === 'cutout' ? 'checker' : ''}`}>
        {result ? (
          <ImageCanvas image={result} version={display.version} className="result" />
        ) : (
          <Placeholder job={job} />
        )}
      </div>
      <figcaption>{output === 'cutout' ? 'Cut-out' : 'Luminance mask'}</figcaption>
    </figure>
  );
}

function OutputOption({
  value,
  label,
  current,
  onPick,
}: {
  value: MatteOutput;
  label: string;
  current: MatteOutput;
  onPick: (output: MatteOutput) => void;
}) {
  return (
    <label>
      <input
        type="radio"
        name="output"
        checked={current === value}
        onChange={() => onPick(value)}
        data-testid={`output-${value}`}
      />
      {label}
    </label>
  );
}

function OutputOptions({ ctrl, state }: { ctrl: Controller; state: UiState }) {
  return (
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
  );
}

function JobButtons({ ctrl, job }: { ctrl: Controller; job: JobView }) {
  return (
    <div class="buttons">
      <button type="button" onClick={() => ctrl.skip()} disabled={job.phase === 'applying'} data-testid="cancel">
        {job.phase === 'failed' ? 'Dismiss' : job.count > 1 ? 'Skip' : 'Cancel'}
      </button>
      <button
        type="button"
        class="primary"
        onClick={() => void ctrl.apply()}
        disabled={!canApply(job)}
        data-testid="apply"
      >
        Apply
      </button>
    </div>
  );
}

function timingText(job: JobView): string {
  const t = job.timings;
  if (!t) return '';
  const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
  const enc = t.cached ? 'encoder reused' : `encoder ${ms(t.encoder)}`;
  return `${enc} · head ${ms(t.head)} · upsample ${ms(t.post)} · total ${ms(t.total)}`;
}

function JobTimings({ job }: { job: JobView }) {
  return (
    <div class="timings" data-testid="timings">
      {job.backendUsed ? `${backendLabel(job.backendUsed)}: ` : ''}
      {timingText(job)}
    </div>
  );
}

export function JobReview({ ctrl, state, job }: { ctrl: Controller; state: UiState; job: JobView }) {
  return (
    <section class="job" data-testid="job">
      <JobTitle job={job} />
      <div class="views">
        <InputView ctrl={ctrl} job={job} />
        <ResultView ctrl={ctrl} job={job} output={state.output} />
      </div>
      {job.promptLayers.length > 0 && <PromptLayerList job={job} onToggle={(id) => ctrl.toggleLayer(id)} />}
      {job.unusedLayers.length > 0 && <UnusedLayerList layers={job.unusedLayers} />}
      {job.phase === 'review' && job.emptyMatte && (
        <div class="message notice" role="alert" data-testid="empty-matte">
          {job.emptyMatte}
        </div>
      )}
      <OutputOptions ctrl={ctrl} state={state} />
      <JobButtons ctrl={ctrl} job={job} />
      {job.timings && <JobTimings job={job} />}
    </section>
  );
}
