"""Multi-instance composites: cut-outs placed on a square canvas and stacked in a random order.
The target's ground truth is its own alpha less whatever is pasted above it, so composites carry
exact alpha by construction (the soft mask is the compositing alpha)."""
from typing import List, Tuple

import numpy as np

from .hair_strands import add_hair_strands
from .image_ops import resize

Layer = Tuple[np.ndarray, np.ndarray]  # canvas-sized colour [S,S,3] and alpha [S,S]


def over(img: np.ndarray, rgb: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Paste `rgb` with alpha `a` over `img`."""
    return img * (1 - a[..., None]) + rgb * a[..., None]


def place_layer(rng, fg: np.ndarray, fa: np.ndarray, long_side: float, size: int) -> Layer:
    """The cut-out scaled to `long_side` and centred at a random point of the canvas, away from
    its borders; parts outside the canvas are cropped."""
    h, w = fa.shape
    scale = long_side / max(h, w)
    nw, nh = max(4, int(w * scale)), max(4, int(h * scale))
    fg, fa = resize(fg, nw, nh), np.clip(resize(fa, nw, nh), 0, 1)
    cx, cy = rng.uniform(0.15, 0.85) * size, rng.uniform(0.15, 0.85) * size
    x0, y0 = int(cx - nw / 2), int(cy - nh / 2)
    layer_rgb = np.zeros((size, size, 3), np.float32)
    layer_a = np.zeros((size, size), np.float32)
    sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(size, x0 + nw), min(size, y0 + nh)
    if sx1 <= sx0 or sy1 <= sy0:
        return layer_rgb, layer_a
    layer_rgb[sy0:sy1, sx0:sx1] = fg[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
    layer_a[sy0:sy1, sx0:sx1] = fa[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0]
    return layer_rgb, layer_a


def choose_target(rng, n_layers: int, duplicated: bool) -> int:
    # A duplicated cut-out is the first and the last layer: the target is one of the two copies.
    return int(rng.choice([0, n_layers - 1])) if duplicated else int(rng.integers(n_layers))


def coverage(alphas, size: int) -> np.ndarray:
    """How much of each pixel of the canvas the given layers hide together."""
    hidden = np.zeros((size, size), np.float32)
    for a in alphas:
        hidden = 1 - (1 - hidden) * (1 - a)
    return hidden


def stack_layers(rng, background: np.ndarray, layers: List[Layer], order: List[int], target: int, hair_p: float):
    """Paste `layers` bottom to top in `order`; the target grows hair strands with p=hair_p.
    Returns the image and the target's visible alpha."""
    img, target_alpha = background, None
    size = background.shape[0]
    for rank, li in enumerate(order):
        rgb, a = layers[li]
        if li != target:
            img = over(img, rgb, a)
            continue
        occluders = coverage((layers[lj][1] for lj in order[rank + 1 :]), size)
        if rng.random() < hair_p:
            # Strands are coloured from the image with the target on it, and hidden by occluders.
            img, a = add_hair_strands(rng, over(img, rgb, a), a, occluders)
        else:
            img = over(img, rgb, a)
        target_alpha = a * (1 - occluders)
    return img, target_alpha
