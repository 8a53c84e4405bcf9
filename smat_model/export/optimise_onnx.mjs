// Writes an ONNX graph after onnxruntime-node's basic optimisation (constant folding and the
// rewrites that hold for every execution provider), for graph_pack.py.
// Usage: node optimise_onnx.mjs in.onnx out.onnx
import ort from 'onnxruntime-node';

const [input, output] = process.argv.slice(2);
await ort.InferenceSession.create(input, { graphOptimizationLevel: 'basic', optimizedModelFilePath: output });
