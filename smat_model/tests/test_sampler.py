import numpy as np
import pytest

from smat_model.data.data_root import DataRoot
from smat_model.data.prompt_simulation import bbox
from smat_model.data.sample_factory import SampleFactory


@pytest.fixture(scope="module")
def factory(data_root):
    return SampleFactory(DataRoot(data_root), 128)


def test_automatic_samples_are_real_photos_with_and_without_prompt(factory):
    s = factory.automatic(np.random.default_rng(1))
    assert s.kind == "auto"
    assert s.image.shape == (3, 128, 128)
    assert list(s.has_prompt) == [0.0, 1.0]
    assert s.prompt_masks[0].sum() == 0 and s.prompt_masks[1].sum() > 0
    assert 0 < (s.alpha > 0.5).mean() < 1


def test_duplication_pastes_the_target_twice_and_cuts_out_only_one(factory):
    img, alpha, info = factory.composite(np.random.default_rng(2), duplicate_p=1.0, hair_p=0.0)
    assert info["duplicated"]
    layers, target = info["layers"], info["target"]
    first, last = layers[0], layers[-1]
    assert target in (0, len(layers) - 1)
    # The copy is the same cut-out at about the same size, somewhere else.
    assert 0.75 < first.sum() / last.sum() < 1.33
    other = last if target == 0 else first
    assert (alpha <= layers[target] + 1e-6).all()
    assert (alpha[other > 0.5] > 0.5).mean() < 0.5


def test_composites_have_two_to_four_objects_and_a_visible_target(factory):
    rng = np.random.default_rng(3)
    for _ in range(5):
        img, alpha, info = factory.composite(rng, duplicate_p=0.0)
        assert 2 <= len(info["layers"]) <= 4
        assert (alpha > 0.5).sum() > 0
        assert img.min() >= 0 and img.max() <= 1


def test_hair_strands_add_soft_alpha_outside_the_object(factory):
    rng = np.random.default_rng(4)
    img, alpha, info = factory.composite(rng, duplicate_p=0.0, hair_p=1.0)
    soft = ((alpha > 0.05) & (alpha < 0.95)).sum()
    hard_edge_only = ((info["layers"][info["target"]] > 0.05) & (info["layers"][info["target"]] < 0.95)).sum()
    assert soft > hard_edge_only


def test_interactive_samples_prompt_the_target(factory):
    s = factory.interactive(np.random.default_rng(5))
    assert s.kind == "composite" and list(s.has_prompt) == [1.0, 1.0]
    x0, y0, x1, y1 = bbox(s.alpha)
    for m in s.prompt_masks:
        ys, xs = np.nonzero(m)
        # every prompt touches the target's (slightly grown) box
        assert xs.max() >= x0 - 20 and xs.min() <= x1 + 20 and ys.max() >= y0 - 20 and ys.min() <= y1 + 20
