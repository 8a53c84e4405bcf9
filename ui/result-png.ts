// The PNG that Apply sends: the full-resolution cut-out (or mask) of a matte, encoded. It is
// started as soon as the matte is made, while the designer looks at it (in a worker where the page
// can start one: ui/result-png-worker.ts), so that Apply mostly only has to send it; made again
// only when what it depends on changed.
import { alphaAsLuminanceMask, applyAlphaAsCutout } from '../core/composite';
import { encodePng } from '../core/image-codecs';
import type { MatteOutput } from '../core/messages';
import type { RgbaImage } from '../core/rgba-image';
import type { Scratch } from '../core/scratch';
import { exactBytes } from './exact-bytes';

export interface ResultPngInputs {
  source: RgbaImage;
  /** The full-resolution matte; the same array object means the same matte. */
  alpha: Float32Array;
  output: MatteOutput;
  decontaminate: boolean;
}

/** Makes result PNGs: in a worker (`offThread`), or on the page's thread. */
export interface ResultPngMaker {
  make(inputs: ResultPngInputs): Promise<Uint8Array>;
  /** True when making one leaves the page's thread free: only then is it started before Apply. */
  offThread: boolean;
}

/**
 * The result's PNG bytes (straight alpha for a cut-out, opaque grey for a mask); the edge colours'
 * planes from `scratch` (core/scratch.ts), which a maker of many PNGs keeps.
 */
export function encodeResultPng(
  { source, alpha, output, decontaminate }: ResultPngInputs,
  scratch?: Scratch,
): Uint8Array {
  const image =
    output === 'cutout'
      ? applyAlphaAsCutout(source, alpha, { decontaminate, foreground: { scratch } })
      : alphaAsLuminanceMask(alpha, source.width, source.height);
  return exactBytes(encodePng(image, scratch));
}

/** On the page's own thread: the panel where no worker starts. */
export const resultPngHere: ResultPngMaker = { make: async (inputs) => encodeResultPng(inputs), offThread: false };

/** Holds the last result PNG asked for (made or on its way), for the inputs it is made from. */
export class ResultPngCache {
  private made: (ResultPngInputs & { png: Promise<Uint8Array> }) | null = null;

  constructor(private readonly maker: ResultPngMaker = resultPngHere) {}

  /** Whether a PNG can be started ahead of Apply without holding up the page. */
  get makesOffThread(): boolean {
    return this.maker.offThread;
  }

  /** The PNG for these inputs: the one asked for earlier when they are the same, else started now. */
  get(inputs: ResultPngInputs): Promise<Uint8Array> {
    if (this.made && this.has(inputs)) return this.made.png;
    const png = this.maker.make(inputs);
    const made = { ...inputs, png };
    this.made = made;
    // A failed one is not kept: the next ask tries again, and that one reports its error.
    png.catch(() => {
      if (this.made === made) this.made = null;
    });
    return png;
  }

  /** Whether the PNG for these inputs was asked for already. */
  has(inputs: ResultPngInputs): boolean {
    const m = this.made;
    return (
      !!m &&
      m.source === inputs.source &&
      m.alpha === inputs.alpha &&
      m.output === inputs.output &&
      m.decontaminate === inputs.decontaminate
    );
  }

  clear(): void {
    this.made = null;
  }
}
