"""The head's configuration: every number its layers' shapes depend on, in one record.

It is saved in every checkpoint (`"config"`) and exported into model.json (`"headConfig"`), so a
state always says which head it fills and the runtime can read what the graph was built with. The
defaults are the shipped head: `HeadConfig()` builds what ships, and nothing else needs a switch.
"""
from dataclasses import asdict, dataclass, fields

from .image_encoder import TinyViTEncoder
from .sam_interaction import SAM_DIM

# Widths are small on purpose: the full-resolution stages dominate the cost on CPU and in WASM, and
# edges are refined again by the guided upsampling at the source resolution.
# Decoder width at the features' resolution (the coarse stage), then after each x2 fusion step.
DECODER_WIDTHS = (96, 64, 32, 16, 8)
# Detail stream width at 1/2, 1/4, 1/8.
DETAIL_WIDTHS = (16, 32, 48)
# 12 channels scored no better on held-out crops and cost ~3x the head time of 8 (docs/training-log.md).
EDGE_REFINER_WIDTH = 8
# Receptive field 1 + 2 * (1 + 2 + 4 + 8 + 1) = 33 px at the input resolution.
EDGE_REFINER_DILATIONS = (1, 2, 4, 8)
# Points SAM's interaction reads from a scribble: enough to trace a stroke's turns, few enough to
# stay a handful of tokens.
SCRIBBLE_POINTS = 6


@dataclass(frozen=True)
class HeadConfig:
    # The backbone's output channels: SAM's interaction and the candidate read the features as they come.
    feature_dim: int = TinyViTEncoder.out_channels
    # Cross-attention updates of the automatic candidate, and their heads.
    candidate_layers: int = 2
    candidate_heads: int = 8
    decoder_widths: tuple = DECODER_WIDTHS
    detail_widths: tuple = DETAIL_WIDTHS
    edge_refiner_width: int = EDGE_REFINER_WIDTH
    edge_refiner_dilations: tuple = EDGE_REFINER_DILATIONS
    scribble_points: int = SCRIBBLE_POINTS

    def __post_init__(self):
        if self.feature_dim != TinyViTEncoder.out_channels or self.feature_dim != SAM_DIM:
            # SAM's interaction reads the backbone's features as its image tokens.
            raise ValueError(
                f"feature_dim {self.feature_dim}: the backbone gives {TinyViTEncoder.out_channels}, SAM reads {SAM_DIM}"
            )
        if len(self.decoder_widths) != 5 or len(self.detail_widths) != 3:
            raise ValueError("the decoder has 4 x2 steps (5 widths) and a detail stream at 1/2, 1/4, 1/8 (3 widths)")
        if self.edge_refiner_width < 1 or self.scribble_points < 2:
            raise ValueError(f"{self}: the edge refiner needs a width, a scribble at least its two ends")

    def to_dict(self) -> dict:
        """Plain JSON values (tuples as lists), as checkpoints and model.json store it."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, saved: dict) -> "HeadConfig":
        """The inverse of `to_dict`; a field this code does not know is refused, not ignored."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(saved) - known)
        if unknown:
            raise ValueError(f"head config fields this code does not know: {unknown}")
        return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
