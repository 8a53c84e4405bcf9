// What a click's layer name says about it. Pure. A name is the convention that works for everyone:
// it does not depend on seeing colour, and it overrides the red-dot reading for a palette whose
// ordinary dots are red.

export type ClickSign = 'not-this' | 'keep';

/** "- sky", "− logo", "not this", "Not-the-cup", "Exclude", "excluded hand"; but not "Note" or "Nothing". */
const NOT_THIS = /^(?:[-\u2212\u2013]|not\b|exclud)/i;
const KEEP = /^\+/;

/** `null`: the name says nothing, so the shape's colour decides. */
export function clickSignOfName(name: string): ClickSign | null {
  const start = name.trimStart();
  if (KEEP.test(start)) return 'keep';
  if (NOT_THIS.test(start)) return 'not-this';
  return null;
}
