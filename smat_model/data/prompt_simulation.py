"""Simulated user prompts on a target's alpha, in model pixels: boxes drawn loosely by hand, clicks
inside the object, and scribbles across it."""
from typing import List, Optional, Tuple

import numpy as np
from scipy import ndimage


def bbox(alpha: np.ndarray) -> Optional[Tuple[float, float, float, float]]:
    ys, xs = np.nonzero(alpha > 0.5)
    if len(xs) == 0:
        return None
    return float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)


def box_prompt(rng, alpha, jitter: bool) -> Optional[dict]:
    b = bbox(alpha)
    if b is None:
        return None
    x0, y0, x1, y1 = b
    if jitter:  # hand-drawn boxes are loose more often than tight, and never exact
        w, h = x1 - x0, y1 - y0
        x0 -= w * (rng.uniform(-0.03, 0.12) + rng.normal(0, 0.02))
        x1 += w * (rng.uniform(-0.03, 0.12) + rng.normal(0, 0.02))
        y0 -= h * (rng.uniform(-0.03, 0.12) + rng.normal(0, 0.02))
        y1 += h * (rng.uniform(-0.03, 0.12) + rng.normal(0, 0.02))
    size = alpha.shape[0]
    x0, y0 = max(0.0, x0), max(0.0, y0)
    x1, y1 = min(float(size), x1), min(float(size), y1)
    return {"kind": "box", "x": x0, "y": y0, "width": max(1.0, x1 - x0), "height": max(1.0, y1 - y0)}


def point_prompts(rng, alpha, n: int) -> List[dict]:
    ys, xs = np.nonzero(alpha > 0.5)
    if len(xs) == 0:
        return []
    idx = rng.choice(len(xs), size=min(n, len(xs)), replace=False)
    return [{"kind": "point", "x": float(xs[i]) + 0.5, "y": float(ys[i]) + 0.5} for i in idx]


def scribble_prompt(rng, alpha) -> Optional[dict]:
    region = alpha > 0.5
    if not region.any():
        return None
    dist = ndimage.distance_transform_edt(region)
    width = float(rng.uniform(3, 12))
    inner = dist > max(2.0, dist.max() * 0.3)
    ys, xs = np.nonzero(inner if inner.any() else region)
    k = int(rng.integers(2, 5))
    idx = rng.choice(len(xs), size=min(k, len(xs)), replace=False)
    pts = [(float(xs[i]) + 0.5, float(ys[i]) + 0.5) for i in idx]
    # Order as a nearest-neighbour walk so the stroke looks like one gesture, not a star.
    walk = [pts.pop(0)]
    while pts:
        last = walk[-1]
        j = int(np.argmin([np.hypot(p[0] - last[0], p[1] - last[1]) for p in pts]))
        walk.append(pts.pop(j))
    return {"kind": "scribble", "points": walk, "width": width}


def random_prompt(rng, alpha, weights=(0.5, 0.3, 0.2)) -> List[dict]:
    kind = rng.choice(3, p=weights)
    if kind == 0:
        p = box_prompt(rng, alpha, jitter=rng.random() < 0.6)
        return [p] if p else []
    if kind == 1:
        return point_prompts(rng, alpha, int(rng.integers(1, 11)))
    p = scribble_prompt(rng, alpha)
    return [p] if p else []


def negative_clicks(rng, alpha, n: int) -> List[dict]:
    """ "Not this" clicks: off the target, near it (within its box grown by a quarter on each side),
    where a user marks a neighbour or a patch of background the matte took."""
    b = bbox(alpha)
    if b is None:
        return []
    x0, y0, x1, y1 = b
    gx, gy = (x1 - x0) / 4, (y1 - y0) / 4
    size = alpha.shape[0]
    ys0, ys1 = int(max(0, y0 - gy)), int(min(size, y1 + gy))
    xs0, xs1 = int(max(0, x0 - gx)), int(min(size, x1 + gx))
    ys, xs = np.nonzero(alpha[ys0:ys1, xs0:xs1] < 0.5)
    if len(xs) == 0:
        return []
    idx = rng.choice(len(xs), size=min(n, len(xs)), replace=False)
    return [
        {"kind": "point", "x": float(xs[i] + xs0) + 0.5, "y": float(ys[i] + ys0) + 0.5, "negative": True} for i in idx
    ]


def box_of_mask(mask) -> Optional[dict]:
    """The box prompt that rasterised to `mask`, when the mask is one filled rectangle."""
    b = bbox(mask)
    if b is None:
        return None
    x0, y0, x1, y1 = b
    if (mask > 0.5).sum() != (x1 - x0) * (y1 - y0):
        return None
    return {"kind": "box", "x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
