// models/model.json, written by the Python export: the one source of the model's constants (input
// and feature size, normalisation, prompt geometry, graph file names). Only the keys the runtime
// needs are checked; anything else in the file (names, versions, metrics) is carried along untouched.
import { IMAGENET_MEAN, IMAGENET_STD } from './letterbox';

/** How prompts are drawn into the model's prompt mask; training fixed these, so they travel with the model. */
export interface PromptGeometry {
  /** Point radius as a fraction of the working size (the letterboxed square's side). */
  pointRadiusFraction: number;
  /** Thinnest brush, in model pixels. */
  minScribbleWidth: number;
}

export interface SmatModelConfig extends PromptGeometry {
  inputSize: number;
  /** Side of the head's similarity map (the encoder's feature grid). */
  featureSize: number;
  mean: readonly number[];
  std: readonly number[];
  /** File names of the graphs by role (GRAPH_ROLES), next to model.json. */
  encoder: string;
  saliency: string;
  prompted: string;
  decoder: string;
  refiner: string;
  [extra: string]: unknown;
}

/**
 * The model's graphs: the encoder (once per image); the head's two candidates, the saliency one
 * for automatic mattes and SAM's interaction for prompted ones (cheap: the panel shows their
 * similarity map as a preview); the head's decoder; and the edge refiner, automatic mattes only.
 * Listed in the order the panel streams them and makes their sessions: an Auto Matte, the command
 * a cold start meets most, needs all but the prompted candidate, which comes last.
 */
export const GRAPH_ROLES = ['encoder', 'decoder', 'refiner', 'saliency', 'prompted'] as const;
export type GraphRole = (typeof GRAPH_ROLES)[number];
export type ModelGraphs = Record<GraphRole, Uint8Array>;
/** Graphs that may still be on their way (the panel's stream): each session starts when its bytes are in. */
export type ArrivingGraphs = Record<GraphRole, Uint8Array | Promise<Uint8Array>>;

/** One value per graph, e.g. each graph's bytes or path. */
export function byGraphRole<T>(value: (role: GraphRole) => T): Record<GraphRole, T> {
  return Object.fromEntries(GRAPH_ROLES.map((role) => [role, value(role)])) as Record<GraphRole, T>;
}

/** The graphs' file names, in GRAPH_ROLES order. */
export function graphFileNames(config: SmatModelConfig): string[] {
  return GRAPH_ROLES.map((role) => config[role]);
}

/** Largest working size the runtime takes: the letterboxed tensors alone are 3*S*S floats. */
const MAX_INPUT_SIZE = 4096;

/** The encoder's stride (ARCHITECTURE.md: features are S/16 on a side). */
const ENCODER_STRIDE = 16;

/**
 * Checks every value the runtime uses against the range it can work with, naming the field: a
 * hand-edited or mismatched model.json otherwise runs and gives wrong mattes, or fails deep
 * inside onnxruntime with a message about tensor indices.
 */
export function parseModelConfig(json: unknown): SmatModelConfig {
  if (typeof json !== 'object' || json === null) throw new Error('model.json: expected a JSON object');
  const cfg = json as Record<string, unknown>;
  const size = cfg.inputSize;
  if (
    typeof size !== 'number' ||
    !Number.isInteger(size) ||
    size < ENCODER_STRIDE ||
    size > MAX_INPUT_SIZE ||
    size % ENCODER_STRIDE !== 0
  ) {
    throw new Error(
      `model.json: inputSize must be a multiple of ${ENCODER_STRIDE} from ${ENCODER_STRIDE} to ${MAX_INPUT_SIZE}, got ${JSON.stringify(size)}`,
    );
  }
  const inRange = (name: string, low: number, high: number, integer = false): number => {
    const v = cfg[name];
    // `low` is exclusive: every one of these is a size or a fraction that must be above zero.
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= low || v > high || (integer && !Number.isInteger(v))) {
      throw new Error(
        `model.json: ${name} must be a positive ${integer ? 'integer' : 'number'} at most ${high}, got ${JSON.stringify(v)}`,
      );
    }
    return v;
  };
  const fileName = (name: string): string => {
    const v = cfg[name];
    // A bare name: the graphs live next to model.json, and a path could point anywhere.
    if (typeof v !== 'string' || v === '' || /[\\/]/.test(v) || v === '.' || v === '..') {
      throw new Error(`model.json: ${name} must be a file name next to model.json, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const triple = (name: string, fallback: readonly number[], valid: (x: number) => boolean, what: string) => {
    const v = cfg[name];
    if (v === undefined) return fallback;
    if (
      !Array.isArray(v) ||
      v.length !== 3 ||
      !v.every((x) => typeof x === 'number' && Number.isFinite(x) && valid(x))
    ) {
      throw new Error(`model.json: ${name} must be three numbers ${what}, got ${JSON.stringify(v)}`);
    }
    return v as number[];
  };
  const featureSize = inRange('featureSize', 0, MAX_INPUT_SIZE, true);
  if (featureSize * ENCODER_STRIDE !== size) {
    throw new Error(
      `model.json: featureSize must be inputSize / ${ENCODER_STRIDE} = ${size / ENCODER_STRIDE}, got ${featureSize}`,
    );
  }
  return {
    ...cfg,
    inputSize: size,
    featureSize,
    // Pixel values are 0..255: a mean outside or a std of 0 (or above the whole range) is a typo.
    mean: triple('mean', IMAGENET_MEAN, (x) => x >= 0 && x <= 255, 'from 0 to 255'),
    std: triple('std', IMAGENET_STD, (x) => x > 0 && x <= 255, 'above 0 and at most 255'),
    // A point's disc covers at most the whole square.
    pointRadiusFraction: inRange('pointRadiusFraction', 0, 0.5),
    minScribbleWidth: inRange('minScribbleWidth', 0, size),
    encoder: fileName('encoder'),
    saliency: fileName('saliency'),
    prompted: fileName('prompted'),
    decoder: fileName('decoder'),
    refiner: fileName('refiner'),
  };
}
