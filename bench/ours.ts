// Loads our model (models/model.json and the graphs it names) into the core runner. Returns a
// reason instead of throwing when the files are not there yet.
import fs from 'node:fs';
import path from 'node:path';
import { SmatRunner, type OrtModuleLike } from '../core/smat-runner';
import { byGraphRole, parseModelConfig, type GraphRole } from '../core/model-config';

export interface OurModelFiles {
  /** Each graph's path, by role. */
  graphs: Record<GraphRole, string>;
  config: string;
  /** Size in the file name (e.g. smat-encoder-1024.onnx) or null for the graphs model.json names. */
  variant: number | null;
}

/** A graph file's extension: a plain graph or a pack (smat_model/export/graph_pack.py). */
const GRAPH_EXTENSION = /\.onnx(\.pack)?$/;
/** What follows the encoder's stem in a size variant's file name: -<N> or _<N>, then the extension. */
const VARIANT_SUFFIX = new RegExp(`^([-_](\\d+))${GRAPH_EXTENSION.source}`);

/**
 * The graphs model.json names (smat-encoder.onnx.pack, smat-saliency.onnx.pack, smat-prompted.onnx, ...) and
 * any size variants next to them (each graph's name with -<N> before .onnx or .onnx.pack).
 */
export function findOurModels(dir = 'models'): { found: OurModelFiles[]; missing: string | null } {
  const config = path.join(dir, 'model.json');
  if (!fs.existsSync(config)) return { found: [], missing: `missing ${config}` };
  const names = parseModelConfig(JSON.parse(fs.readFileSync(config, 'utf8')));
  const beforeExtension = (name: string, suffix: string) => name.replace(GRAPH_EXTENSION, (ext) => suffix + ext);
  const graphsWithSuffix = (suffix: string) =>
    byGraphRole((role) => path.join(dir, beforeExtension(names[role], suffix)));
  const found: OurModelFiles[] = [];
  const encStem = names.encoder.replace(GRAPH_EXTENSION, '');
  for (const f of fs.readdirSync(dir).sort()) {
    if (!f.startsWith(encStem)) continue;
    const m = VARIANT_SUFFIX.exec(f.slice(encStem.length));
    if (!m) continue;
    const graphs = graphsWithSuffix(m[1]);
    if (Object.values(graphs).every((g) => fs.existsSync(g))) {
      const cfg =
        [path.join(dir, `model-${m[2]}.json`), path.join(dir, `model_${m[2]}.json`)].find((c) => fs.existsSync(c)) ??
        config;
      found.push({ graphs, config: cfg, variant: Number(m[2]) });
    }
  }
  const graphs = graphsWithSuffix('');
  const need = Object.values(graphs).filter((f) => !fs.existsSync(f));
  if (need.length) return { found, missing: `missing ${need.join(', ')}` };
  return { found: [{ graphs, config, variant: null }, ...found], missing: null };
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
    graphs: byGraphRole((role) => new Uint8Array(fs.readFileSync(files.graphs[role]))),
    config,
    sessionOptions,
  });
}
