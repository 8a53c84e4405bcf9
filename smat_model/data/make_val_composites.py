"""Write the fixed, seeded interactive validation set: multi-instance composites built only from
held-out DUTS-TR cut-outs and held-out BSDS500 backgrounds (never seen in training).

    python3 -m smat_model.data.make_val_composites --data ../shared/data --out runs/val-composites

images/NNN.png is the composite, masks/NNN.png the target's alpha; the other objects are 0.
trimaps/NNN.png marks the soft band (0 < alpha < 1) as 128, so `smat eval --trimaps` scores it alone.

With `--seed 20262 --out runs/pick-composites` it writes the set that training picks checkpoints by,
drawn from the same held-out files but apart from the validation set, so that picking does not
fit the numbers a model is landed on.
"""
import os

import numpy as np
from PIL import Image

from .heldout_sets import heldout_set_cli

SEED = 20260
PICKING_SEED = 20262  # 20261 makes the foreground-colour composites
COUNT = 100
SIZE = 512
DUPLICATE_P = 0.3


def main(argv=None):
    args, factory, rng = heldout_set_cli(
        argv, __doc__, "runs/val-composites", COUNT, SIZE, SEED, ("images", "masks", "trimaps")
    )
    duplicated = 0
    for i in range(args.count):
        img, alpha, info = factory.composite(rng, duplicate_p=DUPLICATE_P, hair_p=0.0)
        duplicated += info["duplicated"]
        Image.fromarray((img * 255).round().astype(np.uint8)).save(os.path.join(args.out, "images", f"{i:03d}.png"))
        alpha8 = (alpha * 255).round().astype(np.uint8)
        Image.fromarray(alpha8).save(os.path.join(args.out, "masks", f"{i:03d}.png"))
        trimap = np.where(alpha8 == 0, 0, np.where(alpha8 == 255, 255, 128)).astype(np.uint8)
        Image.fromarray(trimap).save(os.path.join(args.out, "trimaps", f"{i:03d}.png"))
    print(f"wrote {args.count} composites ({duplicated} with a duplicated target) to {args.out}")


if __name__ == "__main__":
    main()
