"""Prompts -> one mask (the network's only prompt input), and mask-average pooling of features.

Rasterisation follows docs/ARCHITECTURE.md exactly; core/prompts.ts is its TypeScript twin.
Prompts are dicts in source-image pixels: {"kind": "box", x, y, width, height},
{"kind": "point", x, y}, {"kind": "scribble", "points": [(x, y), ...], "width": w}.
"""
from typing import Iterable, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .config import SCRIBBLE_POINTS

POINT_RADIUS_FRACTION = 1.0 / 80.0
MIN_SCRIBBLE_WIDTH = 3.0


def _segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return np.hypot(px - ax, py - ay)
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / length2, 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy))


def rasterize_prompts(prompts: Iterable[dict], scale: float, size: int) -> Tuple[np.ndarray, bool]:
    """Union mask [size, size] float32 in model pixels, and whether any prompt touched it."""
    ys, xs = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    mask = np.zeros((size, size), dtype=bool)
    for p in prompts:
        kind = p["kind"]
        if p.get("negative"):
            continue  # a negative click says what to leave out: no part of the mask of what to keep
        if kind == "box":
            x0, y0 = p["x"] * scale, p["y"] * scale
            x1, y1 = (p["x"] + p["width"]) * scale, (p["y"] + p["height"]) * scale
            mask |= (xs >= x0) & (xs < x1) & (ys >= y0) & (ys < y1)
        elif kind == "point":
            r = size * POINT_RADIUS_FRACTION
            mask |= np.hypot(xs - p["x"] * scale, ys - p["y"] * scale) <= r
        elif kind == "scribble":
            half = max(p["width"] * scale, MIN_SCRIBBLE_WIDTH) / 2.0
            pts = [(x * scale, y * scale) for x, y in p["points"]]
            if len(pts) == 1:
                pts = pts * 2
            for (ax, ay), (bx, by) in zip(pts[:-1], pts[1:]):
                mask |= _segment_distance(xs, ys, ax, ay, bx, by) <= half
        else:
            raise ValueError(f"unknown prompt kind {kind!r}")
    return mask.astype(np.float32), bool(mask.any())


def downsample_prompt(prompt_mask: torch.Tensor, feature_hw: Tuple[int, int]) -> torch.Tensor:
    """Fraction of each feature cell covered by the prompt: [B,1,H,W] -> [B,1,h,w]."""
    stride = int(prompt_mask.shape[-1]) // int(feature_hw[1])
    return F.avg_pool2d(prompt_mask, stride)


def mask_average_pool(features: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Prompt-weighted mean of features: [B,C,h,w] x [B,1,h,w] -> [B,C]."""
    total = weights.sum(dim=(2, 3)).clamp_min(1e-6)
    return (features * weights).sum(dim=(2, 3)) / total


def _along_polyline(points, count: int):
    """`count` points evenly spaced by arc length along a polyline, both ends included."""
    pts = np.asarray(points, np.float64).reshape(-1, 2)
    seg = np.hypot(*np.diff(pts, axis=0).T) if len(pts) > 1 else np.zeros(0)
    total = float(seg.sum())
    if total == 0:
        return [tuple(pts[0])]
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    at = np.linspace(0.0, total, count)
    return list(zip(np.interp(at, cum, pts[:, 0]), np.interp(at, cum, pts[:, 1])))


def sam_points(prompts: Iterable[dict], scale: float, scribble_points: int = SCRIBBLE_POINTS):
    """Prompts -> SAM's point prompts in model pixels: ([(x, y), ...], [label, ...]).

    A box gives its two corners (labels 2, 3; several boxes, the rectangle around them), a click 1
    (0 when `negative`), a scribble `scribble_points` points along its stroke (1); without a box a padding point
    (-1) ends the list, as SAM was trained. core/prompts.ts is the TypeScript twin."""
    coords, labels, boxes = [], [], []
    for p in prompts:
        if p["kind"] == "box":
            boxes.append((p["x"], p["y"], p["x"] + p["width"], p["y"] + p["height"]))
        elif p["kind"] == "point":
            coords.append((p["x"] * scale, p["y"] * scale))
            labels.append(0 if p.get("negative") else 1)
        elif p["kind"] == "scribble":
            for x, y in _along_polyline(p["points"], scribble_points):
                coords.append((x * scale, y * scale))
                labels.append(1)
    if boxes:
        x0, y0 = min(b[0] for b in boxes) * scale, min(b[1] for b in boxes) * scale
        x1, y1 = max(b[2] for b in boxes) * scale, max(b[3] for b in boxes) * scale
        coords += [(x0, y0), (x1, y1)]
        labels += [2, 3]
    else:
        coords.append((0.0, 0.0))
        labels.append(-1)
    return coords, labels


def sam_point_tensors(prompts: Iterable[dict], scale: float = 1.0, scribble_points: int = SCRIBBLE_POINTS):
    """`sam_points` as the head's inputs: point_coords [1,N,2] and point_labels [1,N], float32."""
    coords, labels = sam_points(prompts, scale, scribble_points)
    return (
        torch.tensor([coords], dtype=torch.float32).view(1, -1, 2),
        torch.tensor([labels], dtype=torch.float32).view(1, -1),
    )
