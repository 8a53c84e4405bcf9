"""Training samples for SMat, generated from a seeded rng so a seed always gives the same sample.

Two kinds, as in the paper:
- automatic: a real DUTS-TR photo and its mask (never a composite), no prompt;
- interactive: a multi-instance composite of 2-4 DUTS-TR cut-outs on a BSDS500 or DUTS-TR photo,
  one of them the target, with a box / points / scribble prompt. With p=0.6 the target is pasted
  twice (foreground duplication) and prompted with a box, so only position tells the two apart.

Soft edges: DUTS masks are near-binary, so composites carry exact alpha by construction and, with
p=0.35, the target grows synthetic hair strands (hair_strands.py). With p=0.1 the target is pasted
semi-transparent (opacity 0.6-0.9).
"""
from dataclasses import dataclass

import numpy as np

from ..modeling.prompt_encoding import rasterize_prompts
from .composites import choose_target, place_layer, stack_layers
from .data_root import DataRoot
from .image_ops import colour_jitter, letterbox, normalise, resize
from .prompt_simulation import bbox, box_prompt, random_prompt

SEMI_TRANSPARENT_P = 0.1
COMPOSITE_TRIES = 20  # a composite whose target ends up (nearly) hidden is drawn again


@dataclass
class Sample:
    image: np.ndarray  # [3,S,S] normalised
    alpha: np.ndarray  # [S,S]
    prompt_masks: np.ndarray  # [K,S,S]
    has_prompt: np.ndarray  # [K]
    kind: str


def masks_for(prompt_sets, size):
    """Each prompt set rasterised to one mask: ([K,S,S] masks, [K] whether each touched the image)."""
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
        img, alpha = img[y0 : y0 + ch, x0 : x0 + cw], alpha[y0 : y0 + ch, x0 : x0 + cw]
        if rng.random() < 0.5:
            img, alpha = img[:, ::-1], alpha[:, ::-1]
        img = colour_jitter(rng, img)
        canvas, a, valid, _ = letterbox(img, alpha, self.size)
        # The same photo is also used with a prompt: real photos teach the interactive mode too.
        masks, has = masks_for([[], random_prompt(rng, a, (0.6, 0.25, 0.15))], self.size)
        return Sample(normalise(canvas, valid), a, masks, has, "auto")

    def interactive(self, rng) -> Sample:
        img, alpha, info = self.composite(rng)
        duplicated = info["duplicated"]
        valid = np.ones_like(alpha, bool)
        first = [box_prompt(rng, alpha, jitter=rng.random() < 0.6)] if duplicated else random_prompt(rng, alpha)
        second = random_prompt(rng, alpha)
        masks, has = masks_for([first, second], self.size)
        return Sample(normalise(img, valid), alpha, masks, has, "composite")

    def composite(self, rng, duplicate_p: float = 0.6, hair_p: float = 0.35):
        """Returns (image01 [S,S,3], target's visible alpha [S,S], info) where info holds
        `duplicated`, the pasted `layers` (alpha of each cut-out), `target` and paste `order`."""
        s = self.size
        for _ in range(COMPOSITE_TRIES):
            img = self.random_background(rng)
            layers, duplicated = self.random_layers(rng, duplicate_p)
            order = list(rng.permutation(len(layers)))
            target = choose_target(rng, len(layers), duplicated)
            if rng.random() < SEMI_TRANSPARENT_P:
                rgb, a = layers[target]
                layers[target] = (rgb, a * rng.uniform(0.6, 0.9))
            img, target_alpha = stack_layers(rng, img, layers, order, target, hair_p)
            if target_alpha is not None and (target_alpha > 0.5).sum() > 0.002 * s * s:
                info = {"duplicated": duplicated, "layers": [a for _, a in layers], "target": target, "order": order}
                return np.clip(img, 0, 1), target_alpha.astype(np.float32), info
        raise RuntimeError("could not build a composite with a visible target")

    def random_layers(self, rng, duplicate_p: float):
        """2-4 cut-outs placed on the canvas, and whether the first one was pasted again as the last."""
        s = self.size
        n = int(rng.integers(2, 5))
        duplicated = rng.random() < duplicate_p
        cut = [self.random_cutout(rng) for _ in range(n - 1 if duplicated else n)]
        if duplicated:
            cut.append(cut[0])
        sizes = [rng.uniform(0.25, 0.6) * s for _ in cut]
        if duplicated:
            sizes[-1] = sizes[0] * rng.uniform(0.9, 1.1)
        layers = [place_layer(rng, fg, fa, ls, s) for (fg, fa), ls in zip(cut, sizes)]
        return layers, duplicated

    def random_background(self, rng) -> np.ndarray:
        """A BSDS500 background (p=0.7) or a DUTS-TR photo, cropped to the canvas and jittered."""
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
        bg = bg[y0 : y0 + s, x0 : x0 + s]
        return colour_jitter(rng, bg[:, ::-1] if rng.random() < 0.5 else bg)

    def random_cutout(self, rng):
        """A DUTS-TR object cropped to its mask's box, maybe mirrored, colour-jittered: (rgb, alpha)."""
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
