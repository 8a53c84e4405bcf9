// The one way to turn whatever was thrown into text, and the errors that callers tell apart by
// class rather than by wording (wording is for people and may change).

/** The readable text of anything thrown: browsers, ORT and WebGPU also reject with strings and plain objects. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

/** Negative ("not this") clicks alone: they say what to leave out, but nothing says what to keep. */
export class OnlyNegativeClicksError extends Error {
  constructor() {
    super('the prompts are all "not this" clicks: add a box, a click or a stroke on the object to keep');
    this.name = 'OnlyNegativeClicksError';
  }
}

/** Prompts were given but none touches the image: the user's drawing is the problem, not the model. */
export class PromptOutsideImageError extends Error {
  /** `detail` (e.g. the image size) is appended in parentheses. */
  constructor(detail?: string) {
    super(`every prompt lies outside the image${detail ? ` (${detail})` : ''}`);
    this.name = 'PromptOutsideImageError';
  }
}

/**
 * A file the command reads cannot be used (missing, not a regular file, too large, not an image,
 * damaged). `smat eval` skips and counts a sample whose file fails this way instead of giving up
 * the finished ones; anything else stops the run.
 */
export class InputFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputFileError';
  }
}

/** The matte holds nothing (no pixel even half opaque); `reason` says why, when it is known. */
export class EmptyMatteError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EmptyMatteError';
  }
}
