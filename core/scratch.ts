// Typed arrays kept from one call to the next for the temporaries of the full-resolution steps
// (guided upsampling, matte parts, foreground colours). A browser maps each large ArrayBuffer
// afresh (Chromium's allocator maps those over about 1 MB straight from the system), and every
// fresh page costs a fault on its first write: about 3 ms per MB on the 2-core VM this project is
// measured on, which made those steps 2-3x slower in Chromium than in Node, whose allocator keeps
// freed memory (bench/RESULTS.md, "Plugin path"). The panel's runner and Apply's worker each keep
// one Scratch and pass it to every call.
//
// An array handed out keeps its stale contents (`zeroed` when the step needs zeros) and belongs to
// the caller until the next request under the same name. Past `maxBytes` in all, arrays are made
// fresh and not kept, so a huge photo's temporaries do not stay in the page after its job.

type Kind = 'float32' | 'float64' | 'int32' | 'uint8';
type ArrayOf<K extends Kind> = K extends 'float32'
  ? Float32Array
  : K extends 'float64'
    ? Float64Array
    : K extends 'int32'
      ? Int32Array
      : Uint8Array;

const MAKE = {
  float32: (n: number) => new Float32Array(n),
  float64: (n: number) => new Float64Array(n),
  int32: (n: number) => new Int32Array(n),
  uint8: (n: number) => new Uint8Array(n),
};

/** What the panel's runner and Apply's worker each keep at most: a 1000x1000 photo's steps fit. */
export const DEFAULT_SCRATCH_BYTES = 96 * 2 ** 20;

export class Scratch {
  private kept = new Map<string, Float32Array | Float64Array | Int32Array | Uint8Array>();
  private keptBytes = 0;

  constructor(private readonly maxBytes = DEFAULT_SCRATCH_BYTES) {}

  float32(name: string, length: number, zeroed = false): Float32Array {
    return this.take('float32', name, length, zeroed);
  }

  float64(name: string, length: number, zeroed = false): Float64Array {
    return this.take('float64', name, length, zeroed);
  }

  int32(name: string, length: number, zeroed = false): Int32Array {
    return this.take('int32', name, length, zeroed);
  }

  uint8(name: string, length: number, zeroed = false): Uint8Array {
    return this.take('uint8', name, length, zeroed);
  }

  /** Bytes held between calls. */
  get bytes(): number {
    return this.keptBytes;
  }

  private take<K extends Kind>(kind: K, name: string, length: number, zeroed: boolean): ArrayOf<K> {
    const key = `${kind}:${name}`;
    const held = this.kept.get(key) as ArrayOf<K> | undefined;
    if (held && held.length >= length) {
      const view = held.subarray(0, length) as ArrayOf<K>;
      if (zeroed) view.fill(0);
      return view;
    }
    // A fresh array is zeroed already.
    const made = MAKE[kind](length) as ArrayOf<K>;
    const grownBy = made.byteLength - (held?.byteLength ?? 0);
    if (this.keptBytes + grownBy <= this.maxBytes) {
      this.kept.set(key, made);
      this.keptBytes += grownBy;
    }
    return made;
  }
}
