"""Full-resolution edge refiner: a few dilated convolutions over the RGB image and the decoder's
alpha logit, giving a correction to that logit.

Why: the decoder's finest stage is 8 channels wide and learns at the head's rate together with
everything else, so edges and the soft band come out blurred. The refiner reads only pixels within
~33 px, so it can be trained on crops of the soft band with the rest of the network frozen
(`npm run train -- --stage refiner`), many times faster than a head step at 768. The decoder
applies it to automatic mattes only: on prompted ones it cost IoU (docs/training-log.md)."""
import torch
import torch.nn as nn

from .config import EDGE_REFINER_DILATIONS, EDGE_REFINER_WIDTH

# Logits beyond this are certain either way; scaling keeps the input in the image's range.
LOGIT_RANGE = 8.0


class EdgeRefiner(nn.Module):
    def __init__(self, width: int = EDGE_REFINER_WIDTH, dilations=EDGE_REFINER_DILATIONS):
        super().__init__()
        layers, cin = [], 3 + 2  # RGB + alpha + scaled logit
        for d in dilations:
            layers += [nn.Conv2d(cin, width, 3, 1, d, dilation=d), nn.ReLU(inplace=True)]
            cin = width
        self.body = nn.Sequential(*layers)
        self.correction = nn.Conv2d(width, 1, 3, 1, 1)
        # Zero start: a head that gains the refiner keeps its alpha until the refiner is trained.
        nn.init.zeros_(self.correction.weight)
        nn.init.zeros_(self.correction.bias)

    def forward(self, image: torch.Tensor, logit: torch.Tensor) -> torch.Tensor:
        """The correction to add to `logit`."""
        scaled = logit.clamp(-LOGIT_RANGE, LOGIT_RANGE) / LOGIT_RANGE
        return self.correction(self.body(torch.cat([image, torch.sigmoid(logit), scaled], 1)))
