"""Write a fixed, seeded set of held-out composites whose true foreground colour is known, for
measuring foreground colour estimation ("decontaminate colours", core/estimate-foreground.ts).

    PYTHONPATH=. python3 -m smat_model.data.make_foreground_composites --data ../shared/data --out runs/fg-composites

Built from the held-out DUTS-TR cut-outs and BSDS500 backgrounds (data_root.py). The target
is pasted last (nothing occludes it) over a background with 1-2 other cut-outs, and grows
synthetic hair strands with p=HAIR_P, so every pixel obeys the compositing equation exactly:
    image = alpha * fg + (1 - alpha) * background
with fg the target layer's own colour (the strand colour where strands cover it). The hair
blending of hair_strands.py is close to this but not exact inside the target's own soft edge,
hence the re-composite.

Writes images/NNN.png (the composite), fg/NNN.png (true foreground colour, 0 where alpha is 0)
and alpha/NNN.png (true alpha), all 8-bit.
"""
import os

import numpy as np
from PIL import Image

from .composites import over, place_layer
from .hair_strands import add_hair_strands
from .heldout_sets import heldout_set_cli
from .sample_factory import SampleFactory

SEED = 20261
COUNT = 60
SIZE = 512
HAIR_P = 0.7
SEMI_TRANSPARENT_P = 0.1


def strand_colour(before: np.ndarray, after: np.ndarray, s: np.ndarray) -> np.ndarray:
    """add_hair_strands draws one colour c: after = before * (1 - s) + c * s. Least squares for c."""
    num = ((after - before * (1 - s[..., None])) * s[..., None]).reshape(-1, 3).sum(axis=0)
    return np.clip(num / max(float((s * s).sum()), 1e-12), 0, 1)


def make_one(factory: SampleFactory, rng: np.random.Generator):
    """(image, true foreground colour, true alpha, background), each in 0..1."""
    s = factory.size
    while True:
        bg = factory.random_background(rng)
        for _ in range(int(rng.integers(1, 3))):
            rgb, a = place_layer(rng, *factory.random_cutout(rng), rng.uniform(0.25, 0.6) * s, s)
            bg = over(bg, rgb, a)
        fg, a = place_layer(rng, *factory.random_cutout(rng), rng.uniform(0.35, 0.7) * s, s)
        if (a > 0.5).sum() > 0.01 * s * s:
            break
    if rng.random() < SEMI_TRANSPARENT_P:
        a = a * rng.uniform(0.6, 0.9)
    fg_colour = fg.copy()
    alpha = a.copy()
    if rng.random() < HAIR_P:
        before = over(bg, fg, a)
        after, alpha = add_hair_strands(rng, before, a, np.zeros_like(a))
        strands = alpha - a  # add_hair_strands adds s = strands * (1 - a), so a + s <= 1
        c = strand_colour(before, after, strands)
        with np.errstate(invalid="ignore", divide="ignore"):
            fg_colour = np.where(
                alpha[..., None] > 0, (a[..., None] * fg + strands[..., None] * c) / alpha[..., None], 0
            )
    fg_colour = np.where(alpha[..., None] > 0, fg_colour, 0)
    image = alpha[..., None] * fg_colour + (1 - alpha[..., None]) * bg
    return np.clip(image, 0, 1), np.clip(fg_colour, 0, 1), np.clip(alpha, 0, 1), bg


def main(argv=None):
    args, factory, rng = heldout_set_cli(
        argv, __doc__, "runs/fg-composites", COUNT, SIZE, SEED, ("images", "fg", "alpha")
    )
    u8 = lambda x: (x * 255).round().astype(np.uint8)
    for i in range(args.count):
        image, fg, alpha, _ = make_one(factory, rng)
        Image.fromarray(u8(image)).save(os.path.join(args.out, "images", f"{i:03d}.png"))
        Image.fromarray(u8(fg)).save(os.path.join(args.out, "fg", f"{i:03d}.png"))
        Image.fromarray(u8(alpha)).save(os.path.join(args.out, "alpha", f"{i:03d}.png"))
    print(f"wrote {args.count} foreground composites to {args.out}")


if __name__ == "__main__":
    main()
