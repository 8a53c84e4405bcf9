"""Export the encoder and the head's graphs (GRAPH_FILES) as ONNX, opset 17, those of PACKED_GRAPHS
optimised and packed (graph_pack.py).

    python3 -m smat_model.export.export_onnx --checkpoint runs/main/best.pt --out models --size 768

How the weights are stored (`--weights`) is weight_storage's business; every op computes in fp32.
"""
import argparse
import contextlib
import hashlib
import json
import os

import torch
from torch.onnx import register_custom_op_symbolic, unregister_custom_op_symbolic

from ..data.image_ops import IMAGENET_MEAN, IMAGENET_STD
from ..modeling.build import SAM_PREFIX, build_smat
from ..modeling.config import HeadConfig
from ..modeling.image_encoder import TinyViTEncoder
from ..modeling.load_sam_weights import sam_state_from_onnx
from ..modeling.prompt_encoding import MIN_SCRIBBLE_WIDTH, POINT_RADIUS_FRACTION
from .graph_pack import PACK_SUFFIX, unpack_graph, write_pack
from .weight_storage import WEIGHT_STORAGES, store_weights

OPSET = 17
DEFAULT_WEIGHTS = "int8"


class SaliencyGraph(torch.nn.Module):
    """The automatic candidate: features -> similarity map and its logit at 1/4 of the input."""

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, features):
        return self.head.automatic_similarity(features)


class PromptedGraph(torch.nn.Module):
    """The interactive candidate on SAM's interaction: prompts -> similarity map, its logit at 1/4
    of the input and the prompt's coverage of each feature cell (the decoder's prompt input)."""

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, features, prompt_mask, point_coords, point_labels):
        return self.head.prompted_similarity(features, prompt_mask, point_coords, point_labels)


class DecoderGraph(torch.nn.Module):
    """The head's expensive part: a candidate's outputs + features + image -> the alpha logit
    before the edge refiner (a prompted matte's alpha is its sigmoid)."""

    def __init__(self, head):
        super().__init__()
        self.decoder = head.decoder

    def forward(self, features, image, similarity, similarity_logit, prompt_weights):
        return self.decoder.unrefined_logit(features, similarity, similarity_logit, prompt_weights, image)


class RefinerGraph(torch.nn.Module):
    """Automatic mattes only: the edge refiner's correction of the decoder's logit -> alpha."""

    def __init__(self, head):
        super().__init__()
        self.refiner = head.decoder.refiner

    def forward(self, image, logit):
        return torch.sigmoid(logit + self.refiner(image, logit))


# The runner runs the encoder (once per image), one of the two candidates' graphs (whose logit the
# panel shows as a preview), the decoder, and for an automatic matte the edge refiner: a run
# computes only what its kind uses.
GRAPH_FILES = {
    "encoder": "smat-encoder.onnx",
    "saliency": "smat-saliency.onnx",
    "prompted": "smat-prompted.onnx",
    "decoder": "smat-decoder.onnx",
    "refiner": "smat-refiner.onnx",
}
SIMILARITY_OUTPUTS = ["similarity", "similarity_logit"]
# The graphs whose weight matmuls compute in int8 with int8 storage (weight_storage.py).
INT8_MATMUL_GRAPHS = ("encoder",)
# The graphs shipped optimised and packed (graph_pack.py). Not SAM's interaction: optimising it folds
# its dense positional encoding (2304 x 256 floats, not exact in fp16) into a constant, +2.2 MB,
# and its session is made last, when the first prompt or an idle panel asks for it.
PACKED_GRAPHS = ("encoder", "saliency", "decoder", "refiner")


# The graphs whose GELUs are exported as onnxruntime's FastGelu (tanh form, within 3e-4 of the
# exact GELU that training runs) in the shipped storage, like the int8 matmuls; fp32 stays as
# traced. On one WASM thread FastGelu's kernel takes a third of the time of the erf form's fused
# Gelu, which was a quarter of the encoder's run.
FAST_GELU_GRAPHS = ("encoder",)


@contextlib.contextmanager
def gelu_as_fast_gelu():
    """While exporting, aten::gelu becomes com.microsoft's FastGelu."""
    register_custom_op_symbolic("aten::gelu", lambda g, x, *_: g.op("com.microsoft::FastGelu", x), OPSET)
    try:
        yield
    finally:
        unregister_custom_op_symbolic("aten::gelu", OPSET)


def export_graphs(model, out_dir: str, size: int, weights: str = DEFAULT_WEIGHTS):
    """The graphs of GRAPH_FILES; returns their paths by role."""
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    image = torch.zeros(1, 3, size, size)
    grid = size // model.encoder.stride
    feats = torch.zeros(1, model.encoder.out_channels, grid, grid)
    mask = torch.zeros(1, 1, size, size)
    paths = {role: os.path.join(out_dir, name) for role, name in GRAPH_FILES.items()}
    # SAM's point prompts: a click and its padding point here; any number at run time.
    points = (torch.zeros(1, 2, 2), torch.tensor([[1.0, -1.0]]))
    prompted = PromptedGraph(model.head)
    with torch.no_grad():
        similarity, logit, prompt_weights = prompted(feats, mask, *points)
        graphs = [
            ("encoder", model.encoder, (image,), ["image"], ["features"], None),
            ("saliency", SaliencyGraph(model.head), (feats,), ["features"], SIMILARITY_OUTPUTS, None),
            (
                "prompted",
                prompted,
                (feats, mask, *points),
                ["features", "prompt_mask", "point_coords", "point_labels"],
                [*SIMILARITY_OUTPUTS, "prompt_weights"],
                {"point_coords": {1: "points"}, "point_labels": {1: "points"}},
            ),
            (
                "decoder",
                DecoderGraph(model.head),
                (feats, image, similarity, logit, prompt_weights),
                ["features", "image", *SIMILARITY_OUTPUTS, "prompt_weights"],
                ["logit"],
                None,
            ),
            ("refiner", RefinerGraph(model.head), (image, mask), ["image", "logit"], ["alpha"], None),
        ]
        for role, module, args, inputs, outputs, dynamic in graphs:
            fast_gelu = role in FAST_GELU_GRAPHS and weights == "int8"
            gelu = gelu_as_fast_gelu() if fast_gelu else contextlib.nullcontext()
            with gelu:
                torch.onnx.export(
                    module,
                    args,
                    paths[role],
                    input_names=inputs,
                    output_names=outputs,
                    dynamic_axes=dynamic,
                    opset_version=OPSET,
                    do_constant_folding=True,
                )
    for role, path in paths.items():
        store_weights(path, weights, int8_matmuls=role in INT8_MATMUL_GRAPHS)
    return paths


def pack_graphs(paths: dict) -> dict:
    """The exported graphs with those of PACKED_GRAPHS optimised and packed: file names by role."""
    return {role: os.path.basename(write_pack(path) if role in PACKED_GRAPHS else path) for role, path in paths.items()}


def model_files_record(out_dir: str, names) -> dict:
    """Each graph's size and SHA-256, for model.json's "files": the CLI (tools/verify-model-files.mjs)
    and the plugin build refuse a graph that differs, because a damaged one still loads and runs
    and gives wrong mattes without any error. List every file the runtime loads. A pack also
    records the SHA-256 of the graph it unpacks to (`unpackedSha256`), which the runtime tests check."""
    record = {}
    for name in names:
        path = os.path.join(out_dir, name)
        with open(path, "rb") as f:
            data = f.read()
        record[name] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        if name.endswith(PACK_SUFFIX):
            record[name]["unpackedSha256"] = hashlib.sha256(unpack_graph(data)).hexdigest()
    return record


def write_model_json(out_dir: str, size: int, head_config: HeadConfig, extra=None, files=None):
    """model.json: what the runtime needs to feed the graphs, the head configuration they were
    built with (`headConfig`, as checkpoints store it), and the graphs' record (`files`). `files`:
    the graphs' file names by role, GRAPH_FILES unless packed."""
    config = {
        "inputSize": size,
        "featureSize": size // TinyViTEncoder.stride,
        "mean": IMAGENET_MEAN,
        "std": IMAGENET_STD,
        "pointRadiusFraction": POINT_RADIUS_FRACTION,
        "minScribbleWidth": MIN_SCRIBBLE_WIDTH,
        **(files or GRAPH_FILES),
        "headConfig": head_config.to_dict(),
        **(extra or {}),
    }
    # Last, after the graphs are final (the weight storage rewrite changes their bytes).
    config["files"] = model_files_record(out_dir, [config[role] for role in GRAPH_FILES])
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
    p.add_argument("--weights", choices=WEIGHT_STORAGES, default=DEFAULT_WEIGHTS, help="how the graphs store weights")
    p.add_argument(
        "--resume-state",
        default=None,
        help="also write the checkpoint's fp32 weights, without optimizer state, here (the file that "
        "is committed with the graphs, so the next run resumes from the shipped model)",
    )
    args = p.parse_args(argv)
    model = build_smat(checkpoint=args.checkpoint)
    paths = export_graphs(model, args.out, args.size, weights=args.weights)
    files = pack_graphs(paths)
    extra = {}
    if args.checkpoint:
        state = torch.load(args.checkpoint, map_location="cpu")
        extra = {"trainingStep": state.get("step"), "samplesSeen": state.get("samples_seen")}
        if "refiner_steps" in state:  # trained apart, on crops, after the rest froze
            extra["edgeRefinerSteps"] = state["refiner_steps"]
        if args.resume_state:
            write_resume_state(state, model.head, args.resume_state)
    write_model_json(args.out, args.size, model.head.config, extra, files)
    for name in files.values():
        print(f"{name}: {os.path.getsize(os.path.join(args.out, name)) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
