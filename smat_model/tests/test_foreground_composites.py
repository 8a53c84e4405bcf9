"""The held-out composites for measuring colour decontamination: the foreground colour they
write must be the one that, with their alpha, makes the image (known by construction)."""
import numpy as np
import pytest

from smat_model.data.data_root import DataRoot
from smat_model.data.make_foreground_composites import make_one, strand_colour
from smat_model.data.sample_factory import SampleFactory


@pytest.fixture(scope="module")
def factory(data_root):
    return SampleFactory(DataRoot(data_root), 128, heldout=True)


def test_strand_colour_recovers_the_drawn_colour():
    rng = np.random.default_rng(0)
    before = rng.random((16, 16, 3))
    s = np.clip(rng.random((16, 16)) - 0.5, 0, 1)
    colour = np.array([0.2, 0.7, 0.4])
    after = before * (1 - s[..., None]) + colour * s[..., None]
    assert np.allclose(strand_colour(before, after, s), colour, atol=1e-9)


def test_image_is_alpha_times_foreground_plus_the_rest_background(factory):
    rng = np.random.default_rng(3)
    soft = 0
    for _ in range(6):
        image, fg, alpha, bg = make_one(factory, rng)
        assert alpha.min() >= 0 and alpha.max() <= 1
        assert np.abs(image - (alpha[..., None] * fg + (1 - alpha[..., None]) * bg)).max() < 1e-4
        assert np.all(fg[alpha == 0] == 0)
        soft += int(((alpha > 0.05) & (alpha < 0.95)).sum())
    assert soft > 500
