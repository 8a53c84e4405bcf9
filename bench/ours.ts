// Loads our model (models/model.json and the two graphs it names) into the core runner. Returns a
// reason instead of throwing when the files are not there yet.
import fs from 'node:fs';
import path from 'node:path';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import { parseModelConfig } from '../core/model-config';

export interface OurModelFiles {
  encoder: string;
  head: string;
  config: string;
  /** Size in the file name (e.g. smat-encoder-1024.onnx) or null for the graphs model.json names. */
  variant: number | null;
}

/**
 * The graphs model.json names (e.g. smat-encoder.onnx, smat-head.onnx) and any size variants
 * next to them (smat-encoder-<N>.onnx / smat-head-<N>.onnx).
 */
export function findOurModels(dir = 'models'): { found: OurModelFiles[]; missing: string | null } {
  const config = path.join(dir, 'model.json');
  if (!fs.existsSync(config)) return { found: [], missing: `missing ${config}` };
  const names = parseModelConfig(JSON.parse(fs.readFileSync(config, 'utf8')));
  const found: OurModelFiles[] = [];
  const enc = path.join(dir, names.encoder);
  const head = path.join(dir, names.head);
  const need = [enc, head].filter((f) => !fs.existsSync(f));
  const encStem = names.encoder.replace(/\.onnx$/, '');
  const headStem = names.head.replace(/\.onnx$/, '');
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.startsWith(encStem)) continue;
    const m = /^[-_](\d+)\.onnx$/.exec(f.slice(encStem.length));
    if (!m) continue;
    const h = path.join(dir, `${headStem}${f.slice(encStem.length)}`);
    if (fs.existsSync(h)) {
      const cfg =
        [path.join(dir, `model-${m[1]}.json`), path.join(dir, `model_${m[1]}.json`)].find((c) => fs.existsSync(c)) ??
        config;
      found.push({ encoder: path.join(dir, f), head: h, config: cfg, variant: Number(m[1]) });
    }
  }
  if (need.length) return { found, missing: `missing ${need.join(', ')}` };
  return { found: [{ encoder: enc, head, config, variant: null }, ...found], missing: null };
}

export async function createOurRunner(
  ort: OrtModuleLike,
  files: OurModelFiles,
  sessionOptions: object,
): Promise<SmatRunner> {
  let config = parseModelConfig(JSON.parse(fs.readFileSync(files.config, 'utf8')));
  if (files.variant !== null && config.inputSize !== files.variant) {
    // A size variant without a model.json of its own: its graphs are fixed at `variant`, the
    // feature grid keeps the encoder's stride, and the rest of model.json still applies.
    const stride = config.inputSize / config.featureSize;
    config = { ...config, inputSize: files.variant, featureSize: files.variant / stride };
  }
  return SmatRunner.create({
    ort,
    encoder: new Uint8Array(fs.readFileSync(files.encoder)),
    head: new Uint8Array(fs.readFileSync(files.head)),
    config,
    sessionOptions,
  });
}
