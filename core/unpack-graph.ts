// A graph pack (smat_model/export/graph_pack.py) back into the ONNX bytes ORT loads. The pack is a
// graph already optimised at export, so making its session skips most of ORT's constant folding;
// its large folded weights travel as int8 with a scale per channel, or fp16, chosen at export
// because they reproduce every float exactly. A plain ONNX graph is returned as it is.

const MAGIC = 'SMATPACK';

interface Hole {
  at: number;
  count: number;
  kind: 'int8' | 'fp16';
  channels?: number;
  inner?: number;
}

interface PackHeader {
  size: number;
  holes: Hole[];
}

export function isGraphPack(bytes: Uint8Array): boolean {
  if (bytes.length < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC.charCodeAt(i)) return false;
  return true;
}

export function unpackGraph(bytes: Uint8Array): Uint8Array {
  if (!isGraphPack(bytes)) return bytes;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const bodyStart = MAGIC.length + 4 + headerLength;
  const header = parseHeader(bytes.subarray(MAGIC.length + 4, bodyStart));
  const holeBytes = header.holes.reduce((sum, hole) => sum + 4 * hole.count, 0);
  const structureEnd = bodyStart + header.size - holeBytes;
  const payloadBytes = header.holes.reduce((sum, hole) => sum + padded(payloadSize(hole)), 0);
  // Checked before decoding: a view past the pack's end could read another buffer's bytes.
  if (structureEnd + payloadBytes > bytes.length) throw new Error('graph pack is truncated');
  const out = new Uint8Array(header.size);
  let written = 0;
  let taken = bodyStart;
  let payload = structureEnd;
  for (const hole of header.holes) {
    const gap = hole.at - written;
    out.set(bytes.subarray(taken, taken + gap), written);
    taken += gap;
    written = hole.at;
    if (hole.kind === 'int8') decodeInt8(bytes, payload, hole, out, written);
    else decodeFp16(bytes, payload, hole.count, out, written);
    written += 4 * hole.count;
    payload += padded(payloadSize(hole));
  }
  out.set(bytes.subarray(taken, structureEnd), written);
  return out;
}

/** Bytes of a hole's payload: int8 values after one fp32 scale per channel, or fp16 values. */
function payloadSize(hole: Hole): number {
  return hole.kind === 'int8' ? 4 * (hole.channels ?? 1) + hole.count : 2 * hole.count;
}

/** Each payload starts at a multiple of 4 from the first. */
function padded(size: number): number {
  return size + ((4 - (size % 4)) % 4);
}

function parseHeader(bytes: Uint8Array): PackHeader {
  const header = JSON.parse(new TextDecoder().decode(bytes)) as PackHeader;
  if (!Number.isInteger(header.size) || !Array.isArray(header.holes)) throw new Error('graph pack header is malformed');
  return header;
}

/** Values int8 x fp32 scale, multiplied in fp32 as ORT folded them at export. */
function decodeInt8(bytes: Uint8Array, at: number, hole: Hole, out: Uint8Array, to: number): void {
  const channels = hole.channels ?? 1;
  const inner = hole.inner ?? hole.count;
  // Copied out: a typed array over the pack needs an aligned offset, which the payload need not have.
  const scales = new Float32Array(bytes.slice(at, at + 4 * channels).buffer);
  const values = new Int8Array(bytes.buffer, bytes.byteOffset + at + 4 * channels, hole.count);
  // Storing a double product of an int8 and an fp32 (exact) into a Float32Array rounds it once: the fp32 product.
  const floats = new Float32Array(hole.count);
  for (let start = 0, run = 0; start < hole.count; start += inner, run++) {
    const scale = scales[run % channels];
    const end = Math.min(start + inner, hole.count);
    for (let i = start; i < end; i++) floats[i] = values[i] * scale;
  }
  out.set(new Uint8Array(floats.buffer), to);
}

function decodeFp16(bytes: Uint8Array, at: number, count: number, out: Uint8Array, to: number): void {
  const halves = new Uint16Array(bytes.slice(at, at + 2 * count).buffer);
  const table = halfTable();
  const floats = new Float32Array(count);
  for (let i = 0; i < count; i++) floats[i] = table[halves[i]];
  out.set(new Uint8Array(floats.buffer), to);
}

let halves: Float32Array | undefined;

/** Every fp16 bit pattern's value. */
function halfTable(): Float32Array {
  if (!halves) {
    halves = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) halves[bits] = halfToFloat(bits);
  }
  return halves;
}

export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
