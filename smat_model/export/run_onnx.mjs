// Runs an ONNX graph with onnxruntime-node on raw float32 inputs, for the Python parity tests
// (Debian has no onnxruntime for Python). Usage: node run_onnx.mjs request.json
// request: {model, inputs: {name: {file, dims}}, outputDir} -> writes outputDir/<name>.f32 + outputs.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const request = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(request.model, { graphOptimizationLevel: 'all' });
const feeds = {};
for (const [name, { file, dims }] of Object.entries(request.inputs)) {
  const bytes = readFileSync(file);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  feeds[name] = new ort.Tensor('float32', data.slice(), dims);
}
const outputs = await session.run(feeds);
const manifest = {};
for (const [name, tensor] of Object.entries(outputs)) {
  const file = join(request.outputDir, `${name}.f32`);
  writeFileSync(file, Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  manifest[name] = { file, dims: tensor.dims };
}
writeFileSync(join(request.outputDir, 'outputs.json'), JSON.stringify(manifest));
