// model.json and the graphs must agree on sizes. When they do not (model.json from a 512 export
// beside 768 graphs), onnxruntime fails only at the first run, with "Got invalid dimensions for
// input: image for the following indices". The graphs declare their tensors' shapes, so this
// compares them with model.json as each session is created and says which value to fix.
import type { OrtModuleLike, OrtSessionLike } from '../core/smat-runner';
import type { SmatModelConfig } from '../core/model-config';

/** The contract's tensors (docs/ARCHITECTURE.md) and the model.json value their last two sides equal. */
const SPATIAL_SIDE: Record<string, 'inputSize' | 'featureSize'> = {
  image: 'inputSize',
  prompt_mask: 'inputSize',
  alpha: 'inputSize',
  features: 'featureSize',
  similarity: 'featureSize',
  prompt_weights: 'featureSize',
};

interface ValueMetadata {
  name: string;
  isTensor?: boolean;
  shape?: ReadonlyArray<number | string>;
}

/** `ort` with sessions that are checked against `config` when created (a mismatch releases the session and throws). */
export function checkingGraphShapes(
  ort: OrtModuleLike,
  config: SmatModelConfig,
  graphName: () => string,
): OrtModuleLike {
  return {
    Tensor: ort.Tensor,
    InferenceSession: {
      async create(model: Uint8Array, options?: object): Promise<OrtSessionLike> {
        const session = await ort.InferenceSession.create(model, options);
        const mismatch = shapeMismatch(session, config);
        if (mismatch) {
          await session.release();
          throw new Error(`model.json does not match the graph ${graphName()}: ${mismatch}`);
        }
        return session;
      },
    },
  };
}

function shapeMismatch(session: OrtSessionLike, config: SmatModelConfig): string | null {
  const meta = session as unknown as { inputMetadata?: ValueMetadata[]; outputMetadata?: ValueMetadata[] };
  // Older runtimes do not report shapes: nothing to compare then.
  for (const value of [...(meta.inputMetadata ?? []), ...(meta.outputMetadata ?? [])]) {
    const key = SPATIAL_SIDE[value.name];
    const shape = value.shape;
    if (!key || !value.isTensor || !shape || shape.length < 2) continue;
    const sides = shape.slice(-2);
    if (sides.every((s) => typeof s !== 'number' || s === config[key])) continue;
    const declared = sides.find((s) => typeof s === 'number' && s !== config[key]) as number;
    const other = key === 'inputSize' ? 'featureSize' : 'inputSize';
    return (
      `its tensor "${value.name}" is ${shape.join('x')}, so ${key} must be ${declared}, but model.json says ${config[key]}. ` +
      `Use the model.json exported with these graphs (${key} ${declared}, ${other} ${key === 'inputSize' ? declared / 16 : declared * 16})`
    );
  }
  return null;
}
