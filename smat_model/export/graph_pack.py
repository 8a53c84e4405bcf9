"""Graphs that load fast and ship small: ORT's basic optimisation done at export, its folded
weights stored compactly again.

Making an ORT session spends most of its time folding constants: the int8 weights' dequantisation
(weight_storage.py) and the shape arithmetic the tracer left behind. Done once here, with
onnxruntime-node's basic level (rewrites that hold for every execution provider, so WebGPU still
gets its own fusions at load), the encoder's session takes about half as long in onnxruntime-web
WASM, and its first run is faster too. But the folded weights are fp32: 8.6 MB -> 13.9 MB for the
encoder.

So the optimised graph is shipped as a pack: its protobuf bytes with the raw data of large fp32
initializers cut out, and each of those tensors stored as int8 with one fp32 scale per channel, or
as fp16, whichever reproduces every float exactly (the folded weights are int8 x scale and fp16
values, so they do). `core/unpack-graph.ts` puts the bytes back before a session is made: the
graph it hands ORT is byte for byte the one optimised here (model.json records its SHA-256), and
the mattes are those of the unoptimised graph.

Pack layout (little-endian): MAGIC, u32 header length, the header (JSON), the optimised graph's
bytes without the holes, then each hole's payload (int8: the channels' fp32 scales, then the int8
values; fp16: the values), each starting at a multiple of 4 from the payloads' start.
Header: {"size": unpacked bytes, "holes": [{"at": offset in the unpacked bytes, "count":
floats, "kind": "int8" | "fp16", "channels": C, "inner": floats per channel run}]}; an int8 hole's
value i belongs to channel (i // inner) % C.
"""
import json
import os
import struct
import subprocess
import tempfile

import numpy as np

MAGIC = b"SMATPACK"
PACK_SUFFIX = ".pack"
_OPTIMISE_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "optimise_onnx.mjs")
# Smaller tensors stay in the graph's bytes: their holes would cost more header than they save.
MIN_HOLE_FLOATS = 1024
_FLOAT = 1  # onnx.TensorProto.FLOAT


def _varint(buf: bytes, i: int):
    value = shift = 0
    while True:
        b = buf[i]
        value |= (b & 0x7F) << shift
        i += 1
        if b < 0x80:
            return value, i
        shift += 7


def _fields(buf: bytes, start: int, end: int):
    """(field number, wire type, value start, value end) of each field of one protobuf message."""
    i = start
    while i < end:
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            _, j = _varint(buf, i)
        elif wire == 1:
            j = i + 8
        elif wire == 2:
            length, i = _varint(buf, i)
            j = i + length
        elif wire == 5:
            j = i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, i, j
        i = j


def float_initializers(buf: bytes):
    """Each initializer of ModelProto.graph stored as fp32 raw data: (dims, raw data start, end)."""
    found = []
    for number, _, gs, ge in _fields(buf, 0, len(buf)):
        if number != 7:  # ModelProto.graph
            continue
        for gnumber, _, ts, te in _fields(buf, gs, ge):
            if gnumber != 5:  # GraphProto.initializer
                continue
            dims, data_type, raw = [], None, None
            for tnumber, wire, vs, ve in _fields(buf, ts, te):
                if tnumber == 1 and wire == 0:
                    dims.append(_varint(buf, vs)[0])
                elif tnumber == 1:  # packed dims
                    k = vs
                    while k < ve:
                        d, k = _varint(buf, k)
                        dims.append(d)
                elif tnumber == 2:
                    data_type = _varint(buf, vs)[0]
                elif tnumber == 9:
                    raw = (vs, ve)
            if data_type == _FLOAT and raw is not None and raw[1] - raw[0] == 4 * int(np.prod(dims, dtype=np.int64)):
                found.append((dims, raw[0], raw[1]))
    return found


def _int8_exact(x: np.ndarray, axis: int):
    """(int8 values, fp32 scales) whose fp32 products reproduce x exactly, or None. Each scale is
    found from its channel's peak, which weight_storage.quantize_per_channel maps to 127."""
    moved = np.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
    scales = np.empty(len(moved), np.float32)
    for c, row in enumerate(moved):
        peak = np.float32(np.abs(row).max())
        if peak == 0:
            scales[c] = 1
            continue
        s0 = np.float32(peak / np.float32(127))
        for s in (s0, np.nextafter(s0, np.float32(0)), np.nextafter(s0, np.float32(np.inf))):
            q = np.rint(row / s)
            if np.abs(q).max() <= 127 and np.array_equal((q.astype(np.float32) * s).astype(np.float32), row):
                scales[c] = s
                break
        else:
            return None
    shape = [1] * x.ndim
    shape[axis] = -1
    q = np.rint(x / scales.reshape(shape)).astype(np.int8)
    return q, scales


def _encode(x: np.ndarray):
    """(hole record without "at", payload) for the first exact encoding, or None."""
    for axis in range(x.ndim):
        found = _int8_exact(x, axis)
        if found is not None:
            q, scales = found
            inner = int(np.prod(x.shape[axis + 1 :], dtype=np.int64))
            record = {"count": int(x.size), "kind": "int8", "channels": int(x.shape[axis]), "inner": inner}
            return record, scales.astype("<f4").tobytes() + q.tobytes()
    half = x.astype(np.float16)
    if np.array_equal(half.astype(np.float32), x):
        return {"count": int(x.size), "kind": "fp16"}, half.astype("<f2").tobytes()
    return None


def pack_graph(onnx_bytes: bytes) -> bytes:
    """The pack of an ONNX graph (module docstring); unpack_graph(pack_graph(b)) == b."""
    holes, payloads, kept, cursor = [], [], [], 0
    for dims, start, end in float_initializers(onnx_bytes):
        if (end - start) // 4 < MIN_HOLE_FLOATS:
            continue
        x = np.frombuffer(onnx_bytes[start:end], "<f4").reshape(dims)
        encoded = _encode(x)
        if encoded is None:
            continue
        record, payload = encoded
        holes.append({"at": start, **record})
        payloads.append(payload + b"\0" * (-len(payload) % 4))
        kept.append(onnx_bytes[cursor:start])
        cursor = end
    kept.append(onnx_bytes[cursor:])
    header = json.dumps({"size": len(onnx_bytes), "holes": holes}, separators=(",", ":")).encode()
    return MAGIC + struct.pack("<I", len(header)) + header + b"".join(kept) + b"".join(payloads)


def unpack_graph(pack: bytes) -> bytes:
    """The ONNX bytes of a pack (`core/unpack-graph.ts` is the runtime's; this one checks packs)."""
    if not pack.startswith(MAGIC):
        raise ValueError("not a graph pack")
    (header_len,) = struct.unpack_from("<I", pack, len(MAGIC))
    body = len(MAGIC) + 4 + header_len
    header = json.loads(pack[len(MAGIC) + 4 : body])
    holes = header["holes"]
    hole_bytes = sum(4 * h["count"] for h in holes)
    structure_len = header["size"] - hole_bytes
    structure, payload = pack[body : body + structure_len], pack[body + structure_len :]
    out, taken, offset = bytearray(), 0, 0
    for hole in holes:
        gap = hole["at"] - len(out)
        out += structure[taken : taken + gap]
        taken += gap
        n = hole["count"]
        if hole["kind"] == "int8":
            c = hole["channels"]
            scales = np.frombuffer(payload, "<f4", c, offset)
            q = np.frombuffer(payload, np.int8, n, offset + 4 * c)
            channel = (np.arange(n) // hole["inner"]) % c
            values = (q.astype(np.float32) * scales[channel]).astype("<f4")
            size = 4 * c + n
        else:
            values = np.frombuffer(payload, "<f2", n, offset).astype("<f4")
            size = 2 * n
        out += values.tobytes()
        offset += size + (-size % 4)
    out += structure[taken:]
    return bytes(out)


def optimise_for_loading(onnx_path: str) -> bytes:
    """The graph after onnxruntime-node's basic optimisation (onnxruntime-web is the same build)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "optimised.onnx")
        subprocess.run(
            ["node", _OPTIMISE_SCRIPT, os.path.abspath(onnx_path), out],
            check=True,
            cwd=os.path.dirname(_OPTIMISE_SCRIPT),
        )
        with open(out, "rb") as f:
            return f.read()


def write_pack(onnx_path: str) -> str:
    """Optimise and pack the graph at onnx_path into onnx_path + PACK_SUFFIX (the plain graph is
    removed); returns the pack's path. Refuses a pack that does not unpack to the optimised bytes."""
    optimised = optimise_for_loading(onnx_path)
    pack = pack_graph(optimised)
    if unpack_graph(pack) != optimised:
        raise RuntimeError(f"the pack of {onnx_path} does not unpack to the optimised graph")
    path = onnx_path + PACK_SUFFIX
    with open(path, "wb") as f:
        f.write(pack)
    os.remove(onnx_path)
    return path
