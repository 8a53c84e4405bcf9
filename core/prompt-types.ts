/** Prompts in source-image pixels: x right, y down, origin at the image's top-left. */
export interface Point {
  x: number;
  y: number;
}

export interface BoxPrompt {
  kind: 'box';
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PointPrompt {
  kind: 'point';
  x: number;
  y: number;
  /** A "not this" click: the object under it is left out. Absent or false: a click on the object. */
  negative?: boolean;
}

export interface ScribblePrompt {
  kind: 'scribble';
  points: Point[];
  /** Brush width in source-image pixels. */
  width: number;
}

export type Prompt = BoxPrompt | PointPrompt | ScribblePrompt;
