import { describe, expect, it } from 'vitest';
import type { JobMessage } from '../core/messages';
import { canApply, initialState, isBusy, reduce, statusLine, type UiEvent, type UiState } from '../ui/state';

function job(jobId: string, index = 0, count = 1, extra: Partial<JobMessage> = {}): JobMessage {
  return {
    type: 'job',
    jobId,
    mode: 'prompts',
    index,
    count,
    nodeId: 'n',
    nodeName: `img-${jobId}`,
    imageHash: 'h',
    imageBytes: new Uint8Array(1),
    width: 10,
    height: 10,
    prompts: [{ kind: 'point', x: 1, y: 1 }],
    promptLayers: [{ id: 'dot', name: 'Dot', prompts: [{ kind: 'point', x: 1, y: 1 }] }],
    unusedLayers: [],
    ...extra,
  };
}
const run = (s: UiState, ...evs: UiEvent[]) => evs.reduce(reduce, s);
/** The sandbox hands the UI a job. */
const arrives = (msg: JobMessage): UiEvent => ({ type: 'sandbox', msg });
/** The matte of job `jobId` is back (no timings) and shown for review. */
const matted = (jobId: string): UiEvent => ({ type: 'result', jobId, timings: null, backend: 'wasm' });
/** Job `jobId` arrives, is matted and Apply is clicked: the job is left applying. */
const upToApply = (jobId: string, index: number, count: number): UiEvent[] => [
  arrives(job(jobId, index, count)),
  matted(jobId),
  { type: 'apply', jobId },
];
const ready = run(initialState, { type: 'model-ready' });

describe('UI state machine', () => {
  it("the model's progress bar never goes back: a label with less progress waits for the next one", () => {
    const s = run(
      initialState,
      { type: 'model-progress', progress: 0.5, label: 'Receiving the model…' },
      { type: 'model-progress', progress: 0.3, label: 'Receiving the runtime…' },
    );
    expect(s.model).toMatchObject({ progress: 0.5, label: 'Receiving the model…' });
    const next = reduce(s, { type: 'model-progress', progress: 0.7, label: 'Starting WASM…' });
    expect(next.model).toMatchObject({ progress: 0.7, label: 'Starting WASM…' });
  });

  it('a job before the model is ready waits, then starts decoding', () => {
    let s = run(initialState, arrives(job('a')));
    expect(s.job?.phase).toBe('waiting-model');
    expect(statusLine(s)).toMatch(/waiting for the model/);
    s = reduce(s, { type: 'model-ready' });
    expect(s.job?.phase).toBe('decoding');
  });

  it('goes job -> encoding -> matting -> review -> applying -> applied', () => {
    let s = run(ready, arrives(job('a', 1, 3)));
    expect(statusLine(s)).toMatch(/^Image 2 of 3/);
    s = run(s, { type: 'phase', jobId: 'a', phase: 'encoding' }, { type: 'phase', jobId: 'a', phase: 'matting' });
    expect(s.job?.phase).toBe('matting');
    s = reduce(s, { type: 'result', jobId: 'a', timings: { total: 5 }, backend: 'wasm' });
    expect(s.job?.phase).toBe('review');
    expect(s.job?.backendUsed).toBe('wasm');
    s = reduce(s, { type: 'apply', jobId: 'a' });
    expect(s.job?.phase).toBe('applying');
    expect(s.batch.applyClicks).toBe(1);
    s = reduce(s, { type: 'sandbox', msg: { type: 'applied', jobId: 'a', newNodeId: '1:2' } });
    expect(s.job).toBeNull();
  });

  it('a coarse matte on screen is "refining": nothing to apply until the result', () => {
    let s = run(ready, arrives(job('a', 1, 3)), { type: 'phase', jobId: 'a', phase: 'refining' });
    expect(statusLine(s)).toBe('Image 2 of 3: refining the matte…');
    expect(canApply(s.job)).toBe(false);
    expect(reduce(s, { type: 'apply', jobId: 'a' })).toBe(s);
    s = reduce(s, matted('a'));
    expect(canApply(s.job)).toBe(true);
  });

  it('apply is ignored unless the result is under review; stale events for other jobs are ignored', () => {
    const s = run(ready, arrives(job('a')));
    expect(reduce(s, { type: 'apply', jobId: 'a' })).toBe(s);
    expect(reduce(s, { type: 'phase', jobId: 'zzz', phase: 'matting' })).toBe(s);
    expect(reduce(s, { type: 'sandbox', msg: { type: 'applied', jobId: 'zzz', newNodeId: '' } })).toBe(s);
  });

  it('auto jobs carry no prompts to the overlay', () => {
    const s = run(ready, arrives(job('a', 0, 1, { mode: 'auto' })));
    expect(s.job?.prompts).toEqual([]);
  });

  it('queues a job that arrives while another is on screen, and takes it after skip', () => {
    let s = run(ready, arrives(job('a', 0, 2)), arrives(job('b', 1, 2)));
    expect(s.job?.jobId).toBe('a');
    expect(s.queue.map((j) => j.jobId)).toEqual(['b']);
    expect(isBusy(s.job)).toBe(true);
    s = reduce(s, { type: 'skip', jobId: 'a' });
    expect(s.job?.jobId).toBe('b');
    expect(s.batch.skipped).toBe(1);
    expect(s.queue).toEqual([]);
  });

  it('a new batch (index 0) replaces a job under review; the next job replaces one being applied', () => {
    let s = run(ready, arrives(job('a', 0, 2)), arrives(job('b', 1, 2)), matted('a'));
    s = reduce(s, arrives(job('c', 0, 2)));
    expect(s.job?.jobId).toBe('c');
    expect(s.queue).toEqual([]);
    s = run(s, matted('c'), { type: 'apply', jobId: 'c' }, arrives(job('d', 1, 2)));
    expect(s.job?.jobId).toBe('d');
  });

  it('a sandbox error while applying (the write failed) ends that job and keeps the message', () => {
    let s = run(ready, ...upToApply('a', 0, 2), {
      type: 'sandbox',
      msg: { type: 'error', message: 'Could not write' },
    });
    expect(s.job).toBeNull();
    expect(s.error).toBe('Could not write');
    s = reduce(s, arrives(job('b', 1, 2)));
    expect(s.job?.jobId).toBe('b');
    expect(s.error).toBe('Could not write');
  });

  it('a failed job shows its error and no longer blocks the next job', () => {
    let s = run(ready, arrives(job('a')), { type: 'job-failed', jobId: 'a', error: 'Could not read' });
    expect(s.job?.phase).toBe('failed');
    expect(s.error).toBe('Could not read');
    expect(isBusy(s.job)).toBe(false);
    expect(s.batch.failed).toBe(1);
    s = reduce(s, arrives(job('b', 1, 2)));
    expect(s.job?.jobId).toBe('b');
  });

  it('done ends the batch with a summary; a new batch resets counters and errors', () => {
    let s = run(
      ready,
      ...upToApply('a', 0, 2),
      { type: 'sandbox', msg: { type: 'applied', jobId: 'a', newNodeId: 'x' } },
      arrives(job('b', 1, 2)),
      { type: 'skip', jobId: 'b' },
      { type: 'sandbox', msg: { type: 'done' } },
    );
    expect(s.finished).toBe(true);
    expect(statusLine(s)).toBe('Done: 1 applied, 1 skipped');
    s = run(s, { type: 'sandbox', msg: { type: 'error', message: 'Select an image' } });
    expect(s.error).toBe('Select an image');
    s = reduce(s, arrives(job('c', 0, 1)));
    expect(s.error).toBeNull();
    expect(s.batch).toEqual({ applyClicks: 0, skipped: 0, failed: 0 });
  });

  it('model failure and backend changes are recorded', () => {
    let s = reduce(initialState, { type: 'model-failed', error: 'no model' });
    expect(s.model.status).toBe('error');
    expect(statusLine(s)).toMatch(/failed to load/);
    s = run(
      s,
      { type: 'backend', backend: 'webgpu', reason: 'GPU adapter found' },
      { type: 'backend', backend: 'wasm' },
    );
    expect(s.backend).toBe('wasm');
    expect(s.backendReason).toBe('GPU adapter found');
    s = reduce(s, { type: 'set-output', output: 'mask' });
    expect(s.output).toBe('mask');
    // Decontamination: on unless switched off, and independent of the output choice.
    expect(s.decontaminate).toBe(true);
    s = reduce(s, { type: 'set-decontaminate', on: false });
    expect(s.decontaminate).toBe(false);
    expect(s.output).toBe('mask');
  });
});
