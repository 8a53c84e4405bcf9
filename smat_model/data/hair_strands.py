"""Synthetic hair: DUTS masks are near-binary, so soft edges are made by drawing thin anti-aliased
strands outward from a target's border, coloured like the border. Their partial coverage is both
blended into the image and added to the ground-truth alpha."""
import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage


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
        pts = _bent_strand(x, y, nx, ny, length, bend, sup)
        draw.line(pts, fill=int(rng.uniform(120, 255)), width=max(1, int(rng.uniform(0.4, 1.3) * sup)))
    strands = np.asarray(canvas.resize((size, size), Image.BOX), np.float32) / 255.0
    # One colour per image region: the mean border colour nearby is close enough for thin strands.
    border_colour = img[edge].mean(axis=0)
    colour = np.clip(border_colour * rng.uniform(0.8, 1.1), 0, 1)
    s = strands * (1.0 - alpha) * (1.0 - occluders)
    img = img * (1.0 - s[..., None]) + colour[None, None, :] * s[..., None]
    return img, np.clip(alpha + s, 0.0, 1.0)


def _bent_strand(x, y, nx, ny, length, bend, sup):
    """8 points from (x, y) along direction (nx, ny), turning steadily by `bend` radians in all,
    scaled by the supersampling factor `sup`."""
    pts = []
    for t in np.linspace(0, 1, 8):
        ang = bend * t
        dx = nx * np.cos(ang) - ny * np.sin(ang)
        dy = nx * np.sin(ang) + ny * np.cos(ang)
        pts.append(((x + dx * length * t) * sup, (y + dy * length * t) * sup))
    return pts
