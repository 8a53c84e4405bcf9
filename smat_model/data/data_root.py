"""The shared data folder: DUTS-TR photos with masks and BSDS500 backgrounds, each split into a
training part and a held-out part that only feeds the validation composites."""
import os
from dataclasses import dataclass
from typing import Tuple

import numpy as np
from PIL import Image

HELD_OUT_DUTS = 250  # the last 250 DUTS-TR pairs (sorted by name) only feed the validation composites
HELD_OUT_BACKGROUNDS = 20


@dataclass
class DataRoot:
    root: str

    def __post_init__(self):
        names = [os.path.splitext(n)[0] for n in self._listing("duts-tr/images")]
        self.duts_train = names[:-HELD_OUT_DUTS]
        self.duts_heldout = names[-HELD_OUT_DUTS:]
        bgs = self._listing("backgrounds/bsds500")
        self.bg_train = bgs[:-HELD_OUT_BACKGROUNDS]
        self.bg_heldout = bgs[-HELD_OUT_BACKGROUNDS:]

    def _listing(self, sub: str):
        d = os.path.join(self.root, sub)
        if not os.path.isdir(d):
            raise FileNotFoundError(f"{d} not found: set --data to the shared data folder")
        return sorted(os.listdir(d))

    def duts(self, name: str) -> Tuple[np.ndarray, np.ndarray]:
        """Photo [H,W,3] and mask [H,W], both float 0..1."""
        img = Image.open(os.path.join(self.root, "duts-tr/images", name + ".jpg")).convert("RGB")
        mask = Image.open(os.path.join(self.root, "duts-tr/masks", name + ".png")).convert("L")
        if mask.size != img.size:
            mask = mask.resize(img.size, Image.BILINEAR)
        return np.asarray(img, np.float32) / 255.0, np.asarray(mask, np.float32) / 255.0

    def background(self, name: str) -> np.ndarray:
        img = Image.open(os.path.join(self.root, "backgrounds/bsds500", name)).convert("RGB")
        return np.asarray(img, np.float32) / 255.0
