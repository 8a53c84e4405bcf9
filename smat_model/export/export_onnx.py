"""Export the encoder and head as two ONNX graphs (opset 17) with fp16-stored weights.

    python3 -m smat_model.export.export_onnx --checkpoint runs/main/best.pt --out models --size 768

Weights are stored as fp16 and cast back to fp32 at load (ORT folds the Casts), so files are half
the size while every op still computes in fp32: WASM has no fp16 math, and WebGPU without
`shader-f16` would reject fp16 ops.
"""
import argparse
import hashlib
import json
import os

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from ..data.image_ops import IMAGENET_MEAN, IMAGENET_STD
from ..modeling.build import SAM_PREFIX, build_smat
from ..modeling.config import HeadConfig
from ..modeling.image_encoder import TinyViTEncoder
from ..modeling.load_sam_weights import sam_state_from_onnx
from ..modeling.prompt_encoding import MIN_SCRIBBLE_WIDTH, POINT_RADIUS_FRACTION

OPSET = 17


def export_graphs(model, out_dir: str, size: int, fp16: bool = True):
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    image = torch.zeros(1, 3, size, size)
    grid = size // model.encoder.stride
    feats = torch.zeros(1, model.encoder.out_channels, grid, grid)
    mask = torch.zeros(1, 1, size, size)
    has = torch.zeros(1)
    enc_path = os.path.join(out_dir, "smat-encoder.onnx")
    head_path = os.path.join(out_dir, "smat-head.onnx")
    with torch.no_grad():
        torch.onnx.export(
            model.encoder,
            (image,),
            enc_path,
            input_names=["image"],
            output_names=["features"],
            opset_version=OPSET,
            do_constant_folding=True,
        )
        # SAM's point prompts: a click and its padding point here; any number at run time.
        points = (torch.zeros(1, 2, 2), torch.tensor([[1.0, -1.0]]))
        torch.onnx.export(
            model.head,
            (feats, image, mask, has, *points),
            head_path,
            input_names=["features", "image", "prompt_mask", "has_prompt", "point_coords", "point_labels"],
            output_names=["alpha", "similarity"],
            dynamic_axes={"point_coords": {1: "points"}, "point_labels": {1: "points"}},
            opset_version=OPSET,
            do_constant_folding=True,
        )
    if fp16:
        for path in (enc_path, head_path):
            store_weights_as_fp16(path)
    return enc_path, head_path


def store_weights_as_fp16(path: str, min_elements: int = 16):
    """Rewrite large fp32 initializers as fp16 followed by a Cast to fp32."""
    model = onnx.load(path)
    graph = model.graph
    new_inits, casts = [], []
    for init in graph.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size >= min_elements:
            half_name = init.name + "_fp16"
            new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half_name))
            casts.append(
                helper.make_node("Cast", [half_name], [init.name], to=onnx.TensorProto.FLOAT, name=init.name + "_cast")
            )
        else:
            new_inits.append(init)
    del graph.initializer[:]
    graph.initializer.extend(new_inits)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)
    onnx.checker.check_model(model)
    onnx.save(model, path)


def model_files_record(out_dir: str, names) -> dict:
    """Each graph's size and SHA-256, for model.json's "files": the CLI (tools/verify-model-files.mjs)
    and the plugin build refuse a graph that differs, because a damaged one still loads and runs
    and gives wrong mattes without any error. List every file the runtime loads."""
    record = {}
    for name in names:
        path = os.path.join(out_dir, name)
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        record[name] = {"bytes": os.path.getsize(path), "sha256": digest.hexdigest()}
    return record


def write_model_json(out_dir: str, size: int, head_config: HeadConfig, extra=None):
    """model.json: what the runtime needs to feed the graphs, the head configuration they were
    built with (`headConfig`, as checkpoints store it), and the graphs' record (`files`)."""
    config = {
        "inputSize": size,
        "featureSize": size // TinyViTEncoder.stride,
        "mean": IMAGENET_MEAN,
        "std": IMAGENET_STD,
        "pointRadiusFraction": POINT_RADIUS_FRACTION,
        "minScribbleWidth": MIN_SCRIBBLE_WIDTH,
        "encoder": "smat-encoder.onnx",
        "head": "smat-head.onnx",
        "headConfig": head_config.to_dict(),
        **(extra or {}),
    }
    # Last, after the graphs are final (the fp16 rewrite changes their bytes).
    config["files"] = model_files_record(out_dir, [config["encoder"], config["head"]])
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")


def resume_head_state(head) -> dict:
    """The head's weights for the committed state: SAM's, while still those of sam.onnx, are left
    to sam.onnx (a state without them starts SAM from there), so the file stays small."""
    state = head.state_dict()
    pretrained = sam_state_from_onnx()
    sam = {k[len(SAM_PREFIX) :]: v for k, v in state.items() if k.startswith(SAM_PREFIX)}
    if sam.keys() == pretrained.keys() and all(torch.equal(sam[k], pretrained[k]) for k in sam):
        return {k: v for k, v in state.items() if not k.startswith(SAM_PREFIX)}
    return state


def write_resume_state(state: dict, head, path: str):
    """The checkpoint's fp32 weights without optimizer state; the head's as loaded (retired layers
    dropped, layers the checkpoint lacked as they started)."""
    kept = ("encoder_tail", "step", "samples_seen", "scores", "refiner_steps", "refiner_opt")
    keep = {k: state[k] for k in kept if k in state}
    keep["head"] = resume_head_state(head)
    keep["config"] = head.config.to_dict()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    torch.save(keep, path)
    print(f"{path}: {os.path.getsize(path) / 1e6:.1f} MB (fp32 weights, step {keep.get('step')})")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", default=None, help="trained head; omit for an untrained head")
    p.add_argument("--out", default="models")
    p.add_argument("--size", type=int, default=768, help="input size of the graphs (the shipped model runs at 768)")
    p.add_argument("--fp32", action="store_true")
    p.add_argument(
        "--resume-state",
        default=None,
        help="also write the checkpoint's fp32 weights, without optimizer state, here (the file that "
        "is committed with the graphs, so the next run resumes from the shipped model)",
    )
    args = p.parse_args(argv)
    model = build_smat(checkpoint=args.checkpoint)
    enc, head = export_graphs(model, args.out, args.size, fp16=not args.fp32)
    extra = {}
    if args.checkpoint:
        state = torch.load(args.checkpoint, map_location="cpu")
        extra = {"trainingStep": state.get("step"), "samplesSeen": state.get("samples_seen")}
        if "refiner_steps" in state:  # trained apart, on crops, after the rest froze
            extra["edgeRefinerSteps"] = state["refiner_steps"]
        if args.resume_state:
            write_resume_state(state, model.head, args.resume_state)
    write_model_json(args.out, args.size, model.head.config, extra)
    for f in (enc, head):
        print(f"{f}: {os.path.getsize(f) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
