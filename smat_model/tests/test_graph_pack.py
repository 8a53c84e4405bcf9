"""Graph packs (graph_pack.py): the optimised graph's bytes come back exactly, its folded weights
stored as int8 or fp16 only where that is exact."""
import json
import struct

import numpy as np
import onnx
from onnx import helper, numpy_helper

from smat_model.export.graph_pack import MAGIC, MIN_HOLE_FLOATS, optimise_for_loading, pack_graph, unpack_graph
from smat_model.export.weight_storage import quantize_per_channel


def _header(pack: bytes) -> dict:
    (length,) = struct.unpack_from("<I", pack, len(MAGIC))
    return json.loads(pack[len(MAGIC) + 4 : len(MAGIC) + 4 + length])


def _graph_with(weights: dict) -> bytes:
    """y = x + w1 + w2 + ..., one initializer per weight, as ORT would write it (raw data)."""
    nodes, last = [], "x"
    for k, name in enumerate(weights):
        nodes.append(helper.make_node("Add", [last, name], [f"s{k}"]))
        last = f"s{k}"
    shape = next(iter(weights.values())).shape
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info(last, onnx.TensorProto.FLOAT, shape)],
        [numpy_helper.from_array(w, name) for name, w in weights.items()],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]).SerializeToString()


def test_exact_encodings_only_and_bytes_back_exactly():
    rng = np.random.default_rng(0)
    shape = (64, 32)
    q, scales = quantize_per_channel(rng.normal(size=shape).astype(np.float32), 1)
    as_int8 = (q.astype(np.float32) * scales).astype(np.float32)  # weight_storage's int8, as ORT folds it
    as_fp16 = rng.normal(size=shape).astype(np.float16).astype(np.float32)
    neither = rng.normal(size=shape).astype(np.float32)
    small = rng.normal(size=(1, 32)).astype(np.float16).astype(np.float32)
    graph = _graph_with({"a": as_int8, "b": as_fp16, "c": neither, "d": small})
    pack = pack_graph(graph)
    assert pack.startswith(MAGIC)
    holes = _header(pack)["holes"]
    # int8 along the axis of the scales (the last); fp16; the inexact and the small one stay as they are.
    assert [(h["kind"], h.get("channels"), h.get("inner")) for h in holes] == [("int8", 32, 1), ("fp16", None, None)]
    assert small.size < MIN_HOLE_FLOATS <= as_int8.size
    assert unpack_graph(pack) == graph
    assert len(pack) < len(graph) - 2 * as_int8.size


def test_optimised_graph_folds_constants_and_packs(tmp_path):
    """ORT's basic optimisation through onnxruntime-node folds a constant subgraph into one weight."""
    q, scale = quantize_per_channel(np.random.default_rng(1).normal(size=(48, 40)).astype(np.float32), 1)
    scale = scale.reshape(1, 40)
    nodes = [
        helper.make_node("Cast", ["q"], ["qf"], to=onnx.TensorProto.FLOAT),
        helper.make_node("Mul", ["qf", "scale"], ["w"]),
        helper.make_node("MatMul", ["x", "w"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 48])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 40])],
        [numpy_helper.from_array(q, "q"), numpy_helper.from_array(scale, "scale")],
    )
    path = tmp_path / "g.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    optimised = optimise_for_loading(str(path))
    ops = [n.op_type for n in onnx.load_from_string(optimised).graph.node]
    assert ops == ["MatMul"]
    pack = pack_graph(optimised)
    assert [h["kind"] for h in _header(pack)["holes"]] == ["int8"]
    assert unpack_graph(pack) == optimised
