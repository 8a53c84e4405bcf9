"""Exported encoder and head graphs (fp16-stored weights) agree with PyTorch under onnxruntime."""
import copy

import numpy as np
import torch

from smat_model.data.image_ops import letterbox, normalise
from smat_model.data.prompt_simulation import bbox, point_prompts
from smat_model.export.export_onnx import export_graphs
from smat_model.export.onnx_runner import run_onnx
from smat_model.modeling.prompt_encoding import rasterize_prompts, sam_point_tensors
from smat_model.modeling.smat import SMat, SMatHead

SIZE = 256  # small to keep CI fast; the graphs are the same at the shipped size


def test_encoder_and_head_match_pytorch(tmp_path, encoder, ecssd_photo):
    torch.manual_seed(0)
    model = SMat(encoder, SMatHead()).eval()
    # Trained-looking weights where the head starts at zero, so every path shows in the outputs.
    for layer in (model.head.prompted.pooled_feature, model.head.decoder.alpha, model.head.decoder.refiner.correction):
        torch.nn.init.normal_(layer.weight, std=0.02)
    enc_path, head_path = export_graphs(model, str(tmp_path), SIZE, fp16=True)

    img, mask = ecssd_photo
    canvas, a, valid, _ = letterbox(img, mask, SIZE)
    x = normalise(canvas, valid)[None]
    x0, y0, x1, y1 = bbox(a)
    box = [{"kind": "box", "x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}]
    clicks = point_prompts(np.random.default_rng(0), a, 5) + [{"kind": "point", "x": 2, "y": 2, "negative": True}]
    # The graphs store fp16 weights; compare against the same weights rounded in PyTorch, and
    # against the fp32 model for the size of the rounding effect.
    rounded = copy.deepcopy(model)
    with torch.no_grad():
        for p in list(rounded.parameters()) + list(rounded.buffers()):
            if p.dtype == torch.float32 and p.numel() >= 16:
                p.copy_(p.half().float())
        feats = rounded.encoder(torch.from_numpy(x))
        feats_fp32 = model.encoder(torch.from_numpy(x))
    ort_feats = run_onnx(enc_path, {"image": x})["features"]
    enc_diff = float(np.abs(ort_feats - feats.numpy()).max())
    assert ort_feats.shape == (1, encoder.out_channels, SIZE // encoder.stride, SIZE // encoder.stride)
    assert enc_diff < 1e-3
    # Automatic (the padding point alone), a box (two corners) and clicks with a "not this" one
    # (seven points): the graph was traced with two points, its `points` axis is dynamic.
    for prompts in ([], box, clicks):
        prompt, has = rasterize_prompts(prompts, 1.0, SIZE)
        coords, labels = sam_point_tensors(prompts)
        feed = (torch.from_numpy(prompt)[None, None], torch.tensor([float(has)]), coords, labels)
        with torch.no_grad():
            alpha, sim = rounded.head(feats, torch.from_numpy(x), *feed)
            alpha_fp32, _ = model.head(feats_fp32, torch.from_numpy(x), *feed)
        out = run_onnx(
            head_path,
            {
                "features": feats.numpy(),
                "image": x,
                "prompt_mask": prompt[None, None],
                "has_prompt": np.array([float(has)], np.float32),
                "point_coords": coords.numpy(),
                "point_labels": labels.numpy(),
            },
        )
        head_diff = float(np.abs(out["alpha"] - alpha.numpy()).max())
        sim_diff = float(np.abs(out["similarity"] - sim.numpy()).max())
        fp16_effect = float(np.abs(alpha.numpy() - alpha_fp32.numpy()).max())
        print(
            f"export parity, {coords.shape[1]} points: encoder {enc_diff:.2e}, head alpha {head_diff:.2e}, "
            f"similarity {sim_diff:.2e}; fp16 weight rounding moves alpha by {fp16_effect:.2e}"
        )
        assert out["alpha"].shape == (1, 1, SIZE, SIZE)
        assert head_diff < 1e-3 and sim_diff < 1e-3
        assert fp16_effect < 2e-2
