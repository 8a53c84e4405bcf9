"""Recover fp32 head weights from a shipped head graph, so training resumes from the shipped model
when no checkpoint survived (the earliest models were committed as ONNX files only).

    python3 -m smat_model.export.recover_from_onnx --onnx models/smat-head.onnx --out runs/main/last.pt

Named initializers map one to one onto the state dict. Linear weights lose their names in export
(they become transposed `onnx::MatMul_*` tensors), so they are matched by the order in which the
graph's MatMul nodes use them, which is the order the forward pass calls the Linear layers.
"""
import argparse
import os

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from ..modeling.build import REFINER_KEY
from ..modeling.smat import SMatHead


def onnx_initializers(path: str):
    graph = onnx.load(path).graph
    arrays = {}
    for init in graph.initializer:
        name = init.name[: -len("_fp16")] if init.name.endswith("_fp16") else init.name
        arrays[name] = numpy_helper.to_array(init).astype(np.float32)
    return graph, arrays


def linear_call_order(head: SMatHead):
    order = []
    hooks = [
        m.register_forward_hook(lambda mod, i, o, n=name: order.append(n))
        for name, m in head.named_modules()
        if isinstance(m, torch.nn.Linear)
    ]
    with torch.no_grad():
        head(torch.zeros(1, 256, 4, 4), torch.zeros(1, 3, 64, 64), torch.zeros(1, 1, 64, 64), torch.zeros(1))
    for h in hooks:
        h.remove()
    return order


def head_state_from_onnx(path: str, head: SMatHead):
    graph, arrays = onnx_initializers(path)
    state = head.state_dict()
    recovered = {}
    for key in state:
        # Graphs exported from a wrapper name the weights "head.<key>", graphs of the head alone "<key>".
        name = next((n for n in ("head." + key, key) if n in arrays), None)
        if name is not None:
            recovered[key] = torch.from_numpy(arrays[name].reshape(state[key].shape))
    matmul_weights = []
    for node in graph.node:
        if node.op_type == "MatMul":
            matmul_weights += [i for i in node.input if i.startswith("onnx::MatMul_") and i not in matmul_weights]
    linears = [n for n in linear_call_order(head) if n + ".weight" not in recovered]
    if len(matmul_weights) != len(linears):
        raise ValueError(f"{len(matmul_weights)} MatMul weights in the graph, {len(linears)} Linear layers in the head")
    for name, init in zip(linears, matmul_weights):
        recovered[name + ".weight"] = torch.from_numpy(arrays[init].T.copy())
    # The saliency query is exported as a constant of the automatic branch: (1 - has) * query.
    query = [n for n in arrays if n.startswith("onnx::Mul_") and arrays[n].shape == (1, 256)]
    if len(query) != 1:
        raise ValueError(f"expected one saliency-query constant, found {query}")
    recovered["candidate.saliency_query"] = torch.from_numpy(arrays[query[0]].reshape(256))
    # Graphs exported before the token mixer carry no dense prompt embedding; it starts at zero.
    missing = sorted(k for k in set(state) - set(recovered) if not k.startswith("candidate.dense_prompt."))
    if missing:
        raise ValueError(f"not found in {path}: {missing}")
    for key, value in recovered.items():
        if value.shape != state[key].shape:
            raise ValueError(f"{key}: {tuple(value.shape)} in the graph, {tuple(state[key].shape)} in the head")
    return recovered


def recover_head(path: str, max_mixer_layers: int = 4):
    """The head whose layout matches the graph (graphs before step 2000 have no token mixer; later
    ones have a decoder that reads the image alone at full resolution, and may add the prompt
    affinity to the similarity logit, and the prompt reader to the pooled prompt; the latest an
    edge refiner, whose named weights give its width)."""
    _, arrays = onnx_initializers(path)
    refiner = next((arrays[n] for n in ("head." + REFINER_KEY, REFINER_KEY) if n in arrays), None)
    edge_refiner = refiner.shape[0] if refiner is not None else 0
    errors = []
    # Richest layout first: a graph with the affinity also holds every weight of the head without it.
    for prompt_reader, prompt_affinity in ((True, True), (False, True), (False, False)):
        for detail_prompt in (False, True):
            for layers in range(max_mixer_layers + 1):
                head = SMatHead(
                    mixer_layers=layers,
                    detail_prompt=detail_prompt,
                    prompt_affinity=prompt_affinity,
                    prompt_reader=prompt_reader,
                    edge_refiner=edge_refiner,
                    # Graphs on SAM's interaction came after the committed fp32 state, which they resume from.
                    sam_interaction=False,
                )
                try:
                    return head, head_state_from_onnx(path, head)
                except ValueError as err:
                    errors.append(
                        f"{layers} mixer layers, detail prompt {detail_prompt}, prompt affinity {prompt_affinity}, "
                        f"prompt reader {prompt_reader}: {err}"
                    )
    raise ValueError(f"{path} matches no head layout:\n" + "\n".join(errors))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--onnx", default="models/smat-head.onnx")
    p.add_argument("--out", required=True)
    p.add_argument("--step", type=int, default=0, help="training step the graph was exported at")
    args = p.parse_args(argv)
    head, recovered = recover_head(args.onnx)
    head.load_state_dict(recovered, strict=False)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    torch.save({"head": recovered, "step": args.step}, args.out)
    print(f"wrote {args.out} ({sum(v.numel() for v in recovered.values())} weights)")


if __name__ == "__main__":
    main()
