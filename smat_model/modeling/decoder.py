"""Similarity-guided matting decoder in the style of ViTMatte: coarse features + similarity map,
upsampled in four x2 steps, each fused with a detail stream computed from the RGB image so that
edges come from pixels, not from 16x16 tokens."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .edge_refiner import EdgeRefiner


def conv_relu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU(inplace=True))


# Widths are small on purpose: the full-resolution stages dominate the cost on CPU and in WASM, and
# edges are refined again by the guided upsampling at the source resolution.
# Decoder width at 1/16 (the coarse stage), then after each x2 fusion step: 1/8, 1/4, 1/2, 1/1.
DECODER_WIDTHS = (96, 64, 32, 16, 8)
# Detail stream width at 1/2, 1/4, 1/8.
DETAIL_WIDTHS = (16, 32, 48)
IMAGE_AND_PROMPT_CHANNELS = 4  # RGB + prompt mask: the full-resolution detail
IMAGE_CHANNELS = 3


class DetailStream(nn.Module):
    """RGB + prompt mask -> features at 1/2, 1/4, 1/8."""

    def __init__(self, cin: int = IMAGE_AND_PROMPT_CHANNELS, widths=DETAIL_WIDTHS):
        super().__init__()
        self.s2 = conv_relu(cin, widths[0], 2)
        self.s4 = conv_relu(widths[0], widths[1], 2)
        self.s8 = conv_relu(widths[1], widths[2], 2)

    def forward(self, x):
        d2 = self.s2(x)
        d4 = self.s4(d2)
        return d2, d4, self.s8(d4)


class FusionStep(nn.Module):
    def __init__(self, cin: int, cdetail: int, cout: int):
        super().__init__()
        self.conv = conv_relu(cin + cdetail, cout)

    def forward(self, x, detail):
        x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        return self.conv(torch.cat([x, detail], 1))


class SimilarityGuidedDecoder(nn.Module):
    def __init__(
        self,
        feat_dim: int = 256,
        widths=DECODER_WIDTHS,
        detail_widths=DETAIL_WIDTHS,
        detail_prompt: bool = True,
        edge_refiner: int = 0,
    ):
        """`detail_prompt`: the full-resolution detail also sees the prompt mask. Off, the prompt
        reaches the decoder only as its coverage at 1/16: a click's disc or a box's edge is never
        an edge of the object, so edges should come from the pixels alone. `edge_refiner`: the width
        of a full-resolution refiner that corrects the final logit (edge_refiner.py), 0 for none."""
        super().__init__()
        # + similarity map and prompt coverage, both at the features' resolution
        self.coarse = conv_relu(feat_dim + 2, widths[0])
        self.detail_prompt = detail_prompt
        detail_in = IMAGE_AND_PROMPT_CHANNELS if detail_prompt else IMAGE_CHANNELS
        self.detail = DetailStream(detail_in, detail_widths)
        # Each step fuses the detail of the resolution it upsamples to, the finest being the image.
        skips = (*reversed(detail_widths), detail_in)
        # Created and assigned in order up8..up1, so seeded initialisation and the state-dict keys
        # stay those of the checkpoints.
        self.up8, self.up4, self.up2, self.up1 = (
            FusionStep(cin, skip, cout) for cin, skip, cout in zip(widths[:-1], skips, widths[1:])
        )
        self.alpha = nn.Conv2d(widths[-1], 1, 3, 1, 1)
        # The decoder predicts a correction to the similarity map's logit rather than alpha from
        # scratch: zero-initialised, it starts as the (already meaningful) upsampled similarity,
        # instead of collapsing to all-background under L1 as a from-scratch decoder does.
        nn.init.zeros_(self.alpha.weight)
        nn.init.zeros_(self.alpha.bias)
        # Created last so the state-dict keys before it stay those of the checkpoints.
        self.refiner = EdgeRefiner(edge_refiner) if edge_refiner else None

    def forward(self, features, similarity, similarity_logit, prompt_weights, image, prompt_mask, has_prompt):
        logit = self.unrefined_logit(features, similarity, similarity_logit, prompt_weights, image, prompt_mask)
        if self.refiner is not None:
            # Automatic mattes only: on prompted ones (held-out composites) it cost IoU, see docs/training-log.md.
            logit = logit + (1 - has_prompt).view(-1, 1, 1, 1) * self.refiner(image, logit)
        return torch.sigmoid(logit)

    def unrefined_logit(self, features, similarity, similarity_logit, prompt_weights, image, prompt_mask):
        """The alpha logit before the edge refiner: what the refiner is trained on."""
        x = self.coarse(torch.cat([features, similarity, prompt_weights], 1))
        rgbm = torch.cat([image, prompt_mask], 1) if self.detail_prompt else image
        d2, d4, d8 = self.detail(rgbm)
        x = self.up8(x, d8)
        x = self.up4(x, d4)
        x = self.up2(x, d2)
        x = self.up1(x, rgbm)
        coarse = F.interpolate(similarity_logit, size=image.shape[-2:], mode="bilinear", align_corners=False)
        return self.alpha(x) + coarse


def without_detail_prompt(head_state: dict) -> dict:
    """A head state whose decoder saw the prompt mask at full resolution, for a decoder that does
    not: the mask's input channel (the last of the RGB + mask inputs) is dropped from both convs
    that read it. Zeroing that channel in the shipped head moved the quick IoUs by < 0.006."""
    state = dict(head_state)
    for key in ("decoder.detail.s2.0.weight", "decoder.up1.conv.0.weight"):
        state[key] = state[key][:, :-1]
    return state
