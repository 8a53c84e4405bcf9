// The panel. Reads the controller's state; every action goes through the controller.
import { useEffect, useState } from 'preact/hooks';
import { backendLabel } from './backend';
import type { Controller } from './controller';
import { Hint } from './hint';
import { JobReview } from './job-review';
import { isBusy, statusLine, type UiState } from './state';

export { PromptOverlay } from './prompt-overlay';

function useController(ctrl: Controller): UiState {
  const [, setTick] = useState(0);
  useEffect(() => ctrl.subscribe(() => setTick((t) => t + 1)), [ctrl]);
  return ctrl.state;
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
    <div
      class="progress"
      role="progressbar"
      aria-valuenow={Math.round(value * 100)}
      aria-valuemin={0}
      aria-valuemax={100}
    >
      <div class="bar" style={{ width: `${Math.round(value * 100)}%` }} />
    </div>
  );
}

/**
 * The bar under the status line: the model's load fraction while no job is on screen, an
 * indeterminate bar while a job works (its steps have no fraction), none otherwise.
 */
function progressValue({ job, model }: UiState): number | null | undefined {
  const working =
    job !== null && ['waiting-model', 'decoding', 'encoding', 'matting', 'refining', 'applying'].includes(job.phase);
  return model.status === 'loading' && !job ? model.progress : working ? null : undefined;
}

function Header({ state }: { state: UiState }) {
  return (
    <header>
      <h1>SMat</h1>
      <span class={`backend ${state.backend ?? 'unknown'}`} data-testid="backend" title={state.backendReason}>
        {state.backend ? backendLabel(state.backend) : 'Detecting backend…'}
      </span>
    </header>
  );
}

function RunButtons({ ctrl, busy }: { ctrl: Controller; busy: boolean }) {
  return (
    <div class="actions">
      <button
        type="button"
        class="primary"
        disabled={busy}
        onClick={() => ctrl.requestRun('auto')}
        data-testid="run-auto"
      >
        Auto Matte
      </button>
      <button type="button" disabled={busy} onClick={() => ctrl.requestRun('prompts')} data-testid="run-prompts">
        Matte with prompts
      </button>
    </div>
  );
}

/** data-phase is what the e2e tests and the plugin-path bench wait on. */
function StatusBar({ state }: { state: UiState }) {
  const progress = progressValue(state);
  return (
    <>
      <div class="status" data-testid="status" data-phase={state.job?.phase ?? state.model.status}>
        {statusLine(state)}
      </div>
      {progress !== undefined && <Progress value={progress} />}
    </>
  );
}

function Messages({ ctrl, state }: { ctrl: Controller; state: UiState }) {
  return (
    <>
      {state.model.status === 'error' && (
        <div class="message error" role="alert" data-testid="model-error">
          The model failed to load: {state.model.error}
        </div>
      )}
      {state.notice && (
        <div class="message notice" role="status" data-testid="notice">
          {state.notice}
          <button type="button" class="link" onClick={() => ctrl.dispatch({ type: 'notice', message: null })}>
            Dismiss
          </button>
        </div>
      )}
      {state.error && (
        <div class="message error" role="alert" data-testid="error">
          {state.error}
        </div>
      )}
    </>
  );
}

export function App({ ctrl }: { ctrl: Controller }) {
  const state = useController(ctrl);
  const { job, model } = state;
  return (
    <div class="panel">
      <Header state={state} />
      <RunButtons ctrl={ctrl} busy={isBusy(job)} />
      <StatusBar state={state} />
      <Messages ctrl={ctrl} state={state} />
      {job && <JobReview ctrl={ctrl} state={state} job={job} />}
      {!job && model.status !== 'error' && <Hint />}
    </div>
  );
}
