import numpy as np
import torch

from smat_model.modeling.prompt_encoding import mask_average_pool, rasterize_prompts, sam_points


def test_box_fills_its_rectangle_in_model_pixels():
    mask, has = rasterize_prompts([{"kind": "box", "x": 10, "y": 20, "width": 30, "height": 40}], 0.5, 64)
    assert has
    ys, xs = np.nonzero(mask)
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (5, 19, 10, 29)


def test_point_is_a_disc_of_radius_size_over_80():
    mask, _ = rasterize_prompts([{"kind": "point", "x": 100, "y": 100}], 1.0, 320)  # R = 4
    assert mask[100, 100] == 1 and mask[100, 103] == 1
    assert mask[100, 105] == 0 and mask[104, 104] == 0
    assert abs(mask.sum() - np.pi * 16) < 12


def test_scribble_strokes_the_polyline_with_its_width():
    stroke = {"kind": "scribble", "points": [(10, 32), (54, 32)], "width": 8}
    mask, _ = rasterize_prompts([stroke], 1.0, 64)
    # pixel centres j + 0.5 within 4 of y = 32: rows 28..35
    assert mask[:, 30].sum() == 8 and mask[28, 30] == 1 and mask[35, 30] == 1
    assert mask[27, 30] == 0 and mask[36, 30] == 0 and mask[32, 60] == 0
    thin, _ = rasterize_prompts([{**stroke, "width": 0.1}], 1.0, 64)  # never thinner than 3 px: rows 30..33
    assert thin[:, 30].sum() == 4


def test_prompts_outside_the_image_give_no_prompt():
    mask, has = rasterize_prompts([{"kind": "box", "x": 500, "y": 500, "width": 10, "height": 10}], 1.0, 64)
    assert not has and mask.sum() == 0
    union, has = rasterize_prompts([{"kind": "point", "x": 8, "y": 8}, {"kind": "point", "x": 40, "y": 40}], 1.0, 64)
    assert has and union[8, 8] == 1 and union[40, 40] == 1


def test_mask_average_pool_weights_by_coverage():
    feats = torch.zeros(1, 2, 2, 2)
    feats[0, 0] = torch.tensor([[1.0, 3.0], [5.0, 7.0]])
    weights = torch.tensor([[[[1.0, 0.5], [0.0, 0.0]]]])
    pooled = mask_average_pool(feats, weights)
    assert torch.allclose(pooled[0, 0], torch.tensor((1.0 + 1.5) / 1.5))


# The same cases as test/core-sam-points.test.ts: the TypeScript runtime and training are twins.
def test_sam_points_read_a_box_as_its_corners_without_padding():
    coords, labels = sam_points([{"kind": "box", "x": 10, "y": 20, "width": 30, "height": 40}], 0.5)
    assert coords == [(5, 10), (20, 30)] and labels == [2, 3]


def test_sam_points_label_clicks_and_negative_clicks_and_pad_without_a_box():
    prompts = [{"kind": "point", "x": 100, "y": 50}, {"kind": "point", "x": 10, "y": 10, "negative": True}]
    coords, labels = sam_points(prompts, 2.0)
    assert coords == [(200, 100), (20, 20), (0, 0)] and labels == [1, 0, -1]


def test_sam_points_read_a_scribble_as_six_points_along_its_stroke():
    coords, labels = sam_points([{"kind": "scribble", "points": [(0, 0), (50, 0), (50, 50)], "width": 4}], 1.0)
    assert np.allclose(coords, [(0, 0), (20, 0), (40, 0), (50, 10), (50, 30), (50, 50), (0, 0)])
    assert labels == [1] * 6 + [-1]


def test_negative_clicks_are_no_part_of_the_prompt_mask():
    alone, has = rasterize_prompts([{"kind": "point", "x": 32, "y": 32, "negative": True}], 1.0, 64)
    assert not has and alone.sum() == 0
