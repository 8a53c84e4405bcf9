import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { halfToFloat, isGraphPack, unpackGraph } from '../core/unpack-graph';
import { haveShippedModel, shippedModelDir } from './shipped-model';

interface FileRecord {
  bytes: number;
  sha256: string;
  unpackedSha256?: string;
}

const files = (): Record<string, FileRecord> =>
  JSON.parse(readFileSync(join(shippedModelDir, 'model.json'), 'utf8')).files;
const read = (name: string) => new Uint8Array(readFileSync(join(shippedModelDir, name)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe.skipIf(!haveShippedModel())('unpackGraph on the shipped graphs', () => {
  it('gives back, byte for byte, the optimised graph each pack was made from', () => {
    const packs = Object.entries(files()).filter(([, record]) => record.unpackedSha256);
    expect(packs.map(([name]) => name)).toContain('smat-encoder.onnx.pack');
    for (const [name, record] of packs) {
      const pack = read(name);
      expect(isGraphPack(pack)).toBe(true);
      const graph = unpackGraph(pack);
      expect(sha256(graph), name).toBe(record.unpackedSha256);
      if (name === 'smat-encoder.onnx.pack') {
        // Its folded weights travel as int8 and fp16 again: 13.9 MB of graph in a pack of 8.5 MB.
        expect(pack.length / graph.length).toBeLessThan(0.7);
      }
    }
  });

  it('passes a plain ONNX graph through untouched', () => {
    const plain = Object.keys(files()).find((name) => name.endsWith('.onnx'));
    expect(plain).toBeDefined();
    const bytes = read(plain!);
    expect(isGraphPack(bytes)).toBe(false);
    expect(unpackGraph(bytes)).toBe(bytes);
  });

  it('refuses a cut-short pack with a message that says so', () => {
    const pack = read('smat-decoder.onnx.pack');
    // A view into a longer buffer, and a copy of its own: neither may read past the cut.
    expect(() => unpackGraph(pack.subarray(0, pack.length - 1000))).toThrow(/graph pack is truncated/);
    expect(() => unpackGraph(pack.slice(0, pack.length - 1000))).toThrow(/graph pack is truncated/);
    expect(() => unpackGraph(pack.slice(0, 5000))).toThrow(/graph pack is truncated/);
  });
});

describe('halfToFloat', () => {
  it('decodes normal, subnormal and special fp16 values', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x3555)).toBe(0.333251953125);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Number.isNaN(halfToFloat(0x7e00))).toBe(true);
  });
});
