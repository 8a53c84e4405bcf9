// Whether a shape that reads as a click is a "not this" click (README, prompt shapes). Pure. The
// name wins, so a colour-blind user or a red brand palette can always say which a dot is; without
// a telling name, a red dot is "not this", the colour people reach for first.
import { clickSignOfName } from './click-sign-of-name';
import { isRed } from './is-red';
import { shapeColour } from './shape-colour';

export interface ClickShapeLook {
  name: string;
  fills: ReadonlyArray<Paint> | symbol;
  strokes: ReadonlyArray<Paint>;
}

export function isNegativeClickShape({ name, fills, strokes }: ClickShapeLook): boolean {
  const sign = clickSignOfName(name);
  if (sign !== null) return sign === 'not-this';
  const colour = shapeColour(fills, strokes);
  return colour !== null && isRed(colour);
}
