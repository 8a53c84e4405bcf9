// Loads our model (models/smat-encoder.onnx + models/smat-head.onnx + models/model.json) into the
// core runner. Returns a reason instead of throwing when the files are not there yet.
import fs from 'node:fs';
import path from 'node:path';
import { SmatRunner } from '../core/smat-runner';

export interface OurModelFiles {
  encoder: string;
  head: string;
  config: string;
  /** Size in the file name (e.g. smat-encoder-1024.onnx) or null for the default graphs. */
  variant: number | null;
}

/** The default graphs and any `smat-encoder-<N>.onnx` / `smat-head-<N>.onnx` pairs next to them. */
export function findOurModels(dir = 'models'): { found: OurModelFiles[]; missing: string | null } {
  const config = path.join(dir, 'model.json');
  const found: OurModelFiles[] = [];
  const enc = path.join(dir, 'smat-encoder.onnx');
  const head = path.join(dir, 'smat-head.onnx');
  const need = [enc, head, config].filter((f) => !fs.existsSync(f));
  if (fs.existsSync(dir)) {
    for (const f of fs.readdirSync(dir).sort()) {
      const m = /^smat-encoder[-_](\d+)\.onnx$/.exec(f);
      if (!m) continue;
      const h = path.join(dir, `smat-head${f.slice('smat-encoder'.length)}`);
      if (fs.existsSync(h)) {
        const cfg = [path.join(dir, `model-${m[1]}.json`), path.join(dir, `model_${m[1]}.json`)].find((c) => fs.existsSync(c)) ?? config;
        found.push({ encoder: path.join(dir, f), head: h, config: cfg, variant: Number(m[1]) });
      }
    }
  }
  if (need.length) return { found, missing: `missing ${need.join(', ')}` };
  return { found: [{ encoder: enc, head, config, variant: null }, ...found], missing: null };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export async function createOurRunner(ort: any, files: OurModelFiles, sessionOptions: unknown): Promise<SmatRunner> {
  const config = JSON.parse(fs.readFileSync(files.config, 'utf8'));
  if (files.variant !== null) {
    // A size variant: its graphs are fixed at `variant`; the rest of model.json still applies.
    config.inputSize = files.variant;
  }
  return SmatRunner.create({
    ort,
    encoder: new Uint8Array(fs.readFileSync(files.encoder)),
    head: new Uint8Array(fs.readFileSync(files.head)),
    config,
    sessionOptions,
  });
}
