// The stage: the selected photo with its prompts, drawn with the mouse like the rectangles, dots
// and strokes a user draws over an image in Figma. Prompts are kept in source-image pixels.
import type { Point, Prompt } from '../core/prompt-types';
import type { PlaygroundImage } from './playground-image';

export type PromptTool = 'box' | 'point' | 'scribble';

/** A point's marker on screen when the build carries no model, so no model point radius is known. */
const MARKER_RADIUS_WITHOUT_MODEL_PX = 6;

interface Drag {
  start: Point;
  prompt: Prompt;
}

export interface PromptCanvasOptions {
  stage: HTMLCanvasElement;
  image: () => PlaygroundImage | undefined;
  tool: () => PromptTool;
  /** Scribble width in image pixels. */
  brushWidth: () => number;
}

export class PromptCanvas {
  /** See point-radius.ts; null until model.json is read, or when the build has no model. */
  pointRadiusFraction: number | null = null;
  private drag: Drag | null = null;
  private readonly ctx: CanvasRenderingContext2D;

  constructor(private readonly opts: PromptCanvasOptions) {
    const ctx = opts.stage.getContext('2d');
    if (!ctx) throw new Error('playground: no 2D canvas');
    this.ctx = ctx;
    opts.stage.addEventListener('pointerdown', (ev) => this.onPointerDown(ev));
    opts.stage.addEventListener('pointermove', (ev) => this.onPointerMove(ev));
    opts.stage.addEventListener('pointerup', () => this.onPointerUp());
  }

  draw(): void {
    const img = this.opts.image();
    if (!img) return;
    const { stage } = this.opts;
    const ctx = this.ctx;
    const maxW = Math.min((stage.parentElement?.clientWidth ?? 0) - 8, 900);
    const scale = Math.min(maxW / img.width, 460 / img.height, 4);
    stage.width = Math.round(img.width * scale);
    stage.height = Math.round(img.height * scale);
    ctx.drawImage(img.bitmap, 0, 0, stage.width, stage.height);
    ctx.save();
    ctx.scale(scale, scale);
    const lw = 2 / scale;
    const pointRadius =
      this.pointRadiusFraction === null
        ? MARKER_RADIUS_WITHOUT_MODEL_PX / scale
        : Math.max(img.width, img.height) * this.pointRadiusFraction;
    for (const p of [...img.prompts, ...(this.drag ? [this.drag.prompt] : [])]) {
      if (p.kind === 'box') {
        ctx.fillStyle = 'rgba(13,153,255,0.12)';
        ctx.strokeStyle = '#0d99ff';
        ctx.lineWidth = lw;
        ctx.fillRect(p.x, p.y, p.width, p.height);
        ctx.strokeRect(p.x, p.y, p.width, p.height);
      } else if (p.kind === 'point') {
        ctx.fillStyle = '#0d99ff';
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = lw;
        ctx.beginPath();
        ctx.arc(p.x, p.y, pointRadius, 0, Math.PI * 2);
        ctx.fill();
        ctx.stroke();
      } else if (p.kind === 'scribble' && p.points.length) {
        ctx.strokeStyle = 'rgba(13,153,255,0.7)';
        ctx.lineWidth = p.width;
        ctx.lineCap = 'round';
        ctx.lineJoin = 'round';
        ctx.beginPath();
        ctx.moveTo(p.points[0].x, p.points[0].y);
        for (const q of p.points.slice(1)) ctx.lineTo(q.x, q.y);
        // A path of one point strokes nothing: nudge it so a click shows as a dot.
        if (p.points.length === 1) ctx.lineTo(p.points[0].x + 0.01, p.points[0].y);
        ctx.stroke();
      }
    }
    ctx.restore();
  }

  private toImage(ev: PointerEvent, img: PlaygroundImage): Point {
    const r = this.opts.stage.getBoundingClientRect();
    const x = ((ev.clientX - r.left) / r.width) * img.width;
    const y = ((ev.clientY - r.top) / r.height) * img.height;
    return { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
  }

  private onPointerDown(ev: PointerEvent): void {
    const img = this.opts.image();
    if (!img) return;
    const p = this.toImage(ev, img);
    const tool = this.opts.tool();
    if (tool === 'point') {
      img.prompts.push({ kind: 'point', x: p.x, y: p.y });
      this.draw();
      return;
    }
    this.opts.stage.setPointerCapture(ev.pointerId);
    this.drag =
      tool === 'box'
        ? { start: p, prompt: { kind: 'box', x: p.x, y: p.y, width: 0, height: 0 } }
        : { start: p, prompt: { kind: 'scribble', points: [p], width: this.opts.brushWidth() } };
  }

  private onPointerMove(ev: PointerEvent): void {
    const img = this.opts.image();
    if (!this.drag || !img) return;
    const p = this.toImage(ev, img);
    const { start, prompt } = this.drag;
    if (prompt.kind === 'box') {
      prompt.x = Math.min(start.x, p.x);
      prompt.y = Math.min(start.y, p.y);
      prompt.width = Math.abs(p.x - start.x);
      prompt.height = Math.abs(p.y - start.y);
    } else if (prompt.kind === 'scribble') {
      prompt.points.push(p);
    }
    this.draw();
  }

  private onPointerUp(): void {
    if (!this.drag) return;
    const p = this.drag.prompt;
    // A click with the box tool is no box.
    if (p.kind !== 'box' || (p.width > 2 && p.height > 2)) this.opts.image()?.prompts.push(p);
    this.drag = null;
    this.draw();
  }
}
