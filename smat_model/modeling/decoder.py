"""Similarity-guided matting decoder in the style of ViTMatte: coarse features + similarity map,
upsampled in four x2 steps, each fused with a detail stream computed from the RGB image so that
edges come from pixels, not from the backbone's tokens (16x16 pixels each)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import HeadConfig
from .edge_refiner import EdgeRefiner


def conv_relu(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1), nn.ReLU(inplace=True))


IMAGE_CHANNELS = 3  # the detail stream reads the pixels alone: a prompt's edge is never an object's


class DetailStream(nn.Module):
    """RGB -> features at 1/2, 1/4, 1/8."""

    def __init__(self, cin: int, widths):
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
    def __init__(self, config: HeadConfig):
        """The prompt reaches the decoder as its coverage at the features' resolution only, never
        as the full-resolution mask: a click's disc or a box's edge is never an edge of the object,
        so edges come from the pixels alone. The edge refiner (edge_refiner.py) corrects the final
        logit of automatic mattes."""
        super().__init__()
        widths, detail_widths = config.decoder_widths, config.detail_widths
        # + similarity map and prompt coverage, both at the features' resolution
        self.coarse = conv_relu(config.feature_dim + 2, widths[0])
        self.detail = DetailStream(IMAGE_CHANNELS, detail_widths)
        # Each step fuses the detail of the resolution it upsamples to, the finest being the image.
        skips = (*reversed(detail_widths), IMAGE_CHANNELS)
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
        self.refiner = EdgeRefiner(config.edge_refiner_width, config.edge_refiner_dilations)

    def forward(self, features, similarity, similarity_logit, prompt_weights, image, has_prompt):
        logit = self.unrefined_logit(features, similarity, similarity_logit, prompt_weights, image)
        # Automatic mattes only: on prompted ones (held-out composites) it cost IoU (docs/training-log.md).
        logit = logit + (1 - has_prompt).view(-1, 1, 1, 1) * self.refiner(image, logit)
        return torch.sigmoid(logit)

    def unrefined_logit(self, features, similarity, similarity_logit, prompt_weights, image):
        """The alpha logit before the edge refiner: what the refiner is trained on."""
        x = self.coarse(torch.cat([features, similarity, prompt_weights], 1))
        d2, d4, d8 = self.detail(image)
        x = self.up8(x, d8)
        x = self.up4(x, d4)
        x = self.up2(x, d2)
        x = self.up1(x, image)
        coarse = F.interpolate(similarity_logit, size=image.shape[-2:], mode="bilinear", align_corners=False)
        return self.alpha(x) + coarse
