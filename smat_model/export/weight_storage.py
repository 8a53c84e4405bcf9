"""How the exported graphs store their weights: the plugin ships them inside `code.js`, whose size
sets how long Figma's sandbox takes to parse it and stream the model to the panel.

- int8 (shipped): the weights of MatMul, Gemm, Conv and ConvTranspose become int8 with one scale
  per output channel, behind a Cast and a Mul by the scales (ORT folds both at load, as it does
  not fold a DequantizeLinear, which it keeps for its quantized kernels); every other large tensor (biases, norms,
  positional tables, attention bias tables, which int8 would round too coarsely) becomes fp16
  behind a Cast. Every op still computes in fp32 (WASM has no fp16 math, and WebGPU without
  `shader-f16` would reject fp16 ops), so only the weights' rounding changes: 0.001 IoU or less
  on every validation row, at 60% of fp16 storage's bytes (docs/training-log.md).
- int8 with int8 matmuls (`int8_matmuls`, the encoder's): each MatMul by a weight matrix also
  computes in int8. Its input is quantized per call (DynamicQuantizeLinear, uint8 with one scale
  per tensor) and multiplied by the int8 weights in MatMulInteger, whose WASM kernel is about 2.5x
  as fast as the fp32 one; the int32 result is scaled back to fp32. Convolutions stay fp32
  (ConvInteger was slower than Conv on WASM).
- fp32: as traced, for parity tests.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

# The input that carries each op's weights (_output_channel_axis gives their output-channel axis).
_WEIGHT_INPUT = {"MatMul": 1, "Gemm": 1, "Conv": 1, "ConvTranspose": 1}


def _output_channel_axis(node, weight: np.ndarray) -> int:
    if node.op_type == "MatMul":
        return weight.ndim - 1
    if node.op_type == "Gemm":
        trans_b = next((a.i for a in node.attribute if a.name == "transB"), 0)
        return 0 if trans_b else 1
    if node.op_type == "ConvTranspose":
        return 1
    return 0  # Conv: [out, in/groups, kh, kw]


def _weight_axes(graph) -> dict:
    """Initializer name -> output-channel axis, for initializers used only as op weights that one
    axis describes for every use."""
    uses = {}
    for node in graph.node:
        for index, name in enumerate(node.input):
            uses.setdefault(name, []).append((node, index))
    axes = {}
    for init in graph.initializer:
        name = init.name
        node_uses = uses.get(name, [])
        if not node_uses or any(_WEIGHT_INPUT.get(n.op_type) != i for n, i in node_uses):
            continue
        weight = numpy_helper.to_array(init)
        found = {_output_channel_axis(n, weight) for n, _ in node_uses}
        if len(found) == 1 and weight.dtype == np.float32 and weight.ndim >= 2:
            axes[name] = found.pop()
    return axes


def quantize_per_channel(weight: np.ndarray, axis: int):
    """Symmetric int8 with one scale per slice along `axis`; all-zero slices get scale 1."""
    reduce = tuple(d for d in range(weight.ndim) if d != axis)
    max_abs = np.abs(weight).max(axis=reduce)
    scale = np.where(max_abs > 0, max_abs / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(weight / scale.reshape(_along(axis, weight.ndim))), -127, 127).astype(np.int8)
    return q, scale


def _along(axis: int, ndim: int):
    """The shape that broadcasts one value per slice along `axis` over an ndim-array."""
    shape = [1] * ndim
    shape[axis] = -1
    return shape


def _lift_large_constants(graph, min_elements: int):
    """Large Constant nodes (tables the exporter folded, e.g. a positional encoding) as
    initializers, so the storage rewrite reaches them too."""
    kept = []
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None) if node.op_type == "Constant" else None
        if value is not None and value.data_type == onnx.TensorProto.FLOAT and np.prod(value.dims) >= min_elements:
            graph.initializer.append(numpy_helper.from_array(numpy_helper.to_array(value), node.output[0]))
        else:
            kept.append(node)
    del graph.node[:]
    graph.node.extend(kept)


def _matmuls_in_int8(graph):
    """Rewrites each MatMul by a 2-D fp32 weight initializer as dynamic-quantized int8 compute
    (module docstring), and drops the float weights no node uses any more."""
    inits = {init.name: init for init in graph.initializer}
    nodes, taken = [], set()
    for node in graph.node:
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        w = numpy_helper.to_array(weight) if weight is not None else None
        if w is None or w.ndim != 2 or w.dtype != np.float32:
            nodes.append(node)
            continue
        q, scale = quantize_per_channel(w, 1)
        out, x = node.output[0], node.input[0]
        names = {k: f"{out}_{k}" for k in ("wq", "ws", "xq", "xs", "xz", "i32", "f", "s")}
        graph.initializer.extend([numpy_helper.from_array(q, names["wq"]), numpy_helper.from_array(scale, names["ws"])])
        nodes += [
            helper.make_node("DynamicQuantizeLinear", [x], [names["xq"], names["xs"], names["xz"]]),
            helper.make_node("MatMulInteger", [names["xq"], names["wq"], names["xz"]], [names["i32"]]),
            helper.make_node("Cast", [names["i32"]], [names["f"]], to=onnx.TensorProto.FLOAT),
            helper.make_node("Mul", [names["xs"], names["ws"]], [names["s"]]),
            helper.make_node("Mul", [names["f"], names["s"]], [out]),
        ]
        taken.add(weight.name)
    del graph.node[:]
    graph.node.extend(nodes)
    still_used = {name for node in graph.node for name in node.input}
    kept = [init for init in graph.initializer if init.name not in taken or init.name in still_used]
    del graph.initializer[:]
    graph.initializer.extend(kept)


def _store_as_int8(path: str, int8_matmuls: bool = False, min_elements: int = 16):
    model = onnx.load(path)
    graph = model.graph
    _lift_large_constants(graph, min_elements)
    if int8_matmuls:
        _matmuls_in_int8(graph)
    axes = _weight_axes(graph)
    new_inits, loaders = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.int8:
            new_inits.append(init)
        elif init.name in axes:
            axis = axes[init.name]
            q, scale = quantize_per_channel(arr, axis)
            q_name, f_name, s_name = init.name + "_int8", init.name + "_as_float", init.name + "_scale"
            new_inits += [
                numpy_helper.from_array(q, q_name),
                numpy_helper.from_array(scale.reshape(_along(axis, arr.ndim)), s_name),
            ]
            loaders += [
                helper.make_node("Cast", [q_name], [f_name], to=onnx.TensorProto.FLOAT, name=f_name),
                helper.make_node("Mul", [f_name, s_name], [init.name], name=init.name + "_dequantize"),
            ]
        elif arr.dtype == np.float32 and arr.size >= min_elements:
            half_name = init.name + "_fp16"
            new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half_name))
            loaders.append(
                helper.make_node("Cast", [half_name], [init.name], to=onnx.TensorProto.FLOAT, name=init.name + "_cast")
            )
        else:
            new_inits.append(init)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(loaders + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def store_weights(path: str, storage: str, int8_matmuls: bool = False):
    """Rewrite an fp32 graph in place with the given weight storage (WEIGHT_STORAGES); with
    `int8_matmuls` (int8 storage only), its weight matmuls also compute in int8."""
    if storage not in WEIGHT_STORAGES:
        raise ValueError(f"unknown weight storage {storage!r}; one of {', '.join(WEIGHT_STORAGES)}")
    if storage == "int8":
        _store_as_int8(path, int8_matmuls)


WEIGHT_STORAGES = ("int8", "fp32")
