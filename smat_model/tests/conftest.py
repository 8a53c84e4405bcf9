import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, REPO)


@pytest.fixture(scope="session")
def data_root():
    root = os.environ.get("SMAT_DATA", os.path.join(REPO, "..", "shared", "data"))
    if not os.path.isdir(os.path.join(root, "ecssd-val")):
        pytest.fail(f"shared data not found at {root}: set SMAT_DATA")
    return root


@pytest.fixture(scope="session")
def ecssd_photo(data_root):
    """A real validation photo (RGB float 0..1) and its mask."""
    import numpy as np
    from PIL import Image

    folder = os.path.join(data_root, "ecssd-val")
    name = sorted(os.listdir(os.path.join(folder, "images")))[0]
    img = np.asarray(Image.open(os.path.join(folder, "images", name)).convert("RGB"), np.float32) / 255
    mask = (
        np.asarray(
            Image.open(os.path.join(folder, "masks", os.path.splitext(name)[0] + ".png")).convert("L"), np.float32
        )
        / 255
    )
    return img, mask


@pytest.fixture(scope="session")
def encoder():
    import torch

    torch.set_num_threads(2)
    from smat_model.modeling.build import build_encoder

    return build_encoder()
