// What a click's layer name says about it. Pure. A name is the convention that works for everyone:
// it does not depend on seeing colour, and it overrides the red-dot reading for a palette whose
// ordinary dots are red.

export type ClickSign = 'not-this' | 'keep';

/** "- sky", "− logo", "not this", "Not-the-cup", "Exclude", "excluded hand"; but not "Note" or "Nothing". */
const NOT_THIS = /^\s*(?:[-\u2212\u2013]|not\b|exclud)/i;
const KEEP = /^\s*\+/;

/** `null`: the name says nothing, so the shape's colour decides. */
export function clickSignOfName(name: string): ClickSign | null {
  if (KEEP.test(name)) return 'keep';
  if (NOT_THIS.test(name)) return 'not-this';
  return null;
}
