"""PyTorch-side validation used to pick checkpoints while training (the shipped numbers come from
`smat eval` on the exported ONNX files)."""
import json
import os

import numpy as np
import torch
from PIL import Image

from ..data.image_ops import letterbox, normalise
from ..data.prompt_simulation import bbox, point_prompts
from ..modeling.prompt_encoding import rasterize_prompts


@torch.no_grad()
def evaluate_ecssd(model, data_root: str, size: int, limit: int = 50):
    folder = os.path.join(data_root, "ecssd-val")
    names = sorted(os.listdir(os.path.join(folder, "images")))[:limit]
    stats = {"auto_iou": [], "auto_mae": [], "box_iou": [], "points_iou": []}
    rng = np.random.default_rng(0)
    for name in names:
        img = np.asarray(Image.open(os.path.join(folder, "images", name)).convert("RGB"), np.float32) / 255
        gt = (
            np.asarray(
                Image.open(os.path.join(folder, "masks", os.path.splitext(name)[0] + ".png")).convert("L"), np.float32
            )
            / 255
        )
        canvas, a, valid, scale = letterbox(img, gt, size)
        x = torch.from_numpy(normalise(canvas, valid))[None]
        feats = model.encoder(x)
        b = bbox(a)
        box = [{"kind": "box", "x": b[0], "y": b[1], "width": b[2] - b[0], "height": b[3] - b[1]}]
        variants = {"auto": [], "box": box, "points": point_prompts(rng, a, 10)}
        gt_bin = a[valid] > 0.5
        for key, prompts in variants.items():
            m, has = rasterize_prompts(prompts, 1.0, size)
            alpha, _ = model.head(feats, x, torch.from_numpy(m)[None, None], torch.tensor([float(has)]))
            p = alpha[0, 0].numpy()[valid]
            inter, union = ((p > 0.5) & gt_bin).sum(), ((p > 0.5) | gt_bin).sum()
            stats[f"{key}_iou"].append(inter / union if union else 1.0)
            if key == "auto":
                stats["auto_mae"].append(np.abs(p - a[valid]).mean())
    return {k: float(np.mean(v)) for k, v in stats.items()}


def evaluate_and_log(model, args, step: int, samples_seen: int):
    """The periodic checkpoint-picking evaluation of both trainers: prints it, appends it to
    <run>/eval.jsonl, and returns (mean IoU over auto/box/points, all scores)."""
    model.eval()
    scores = evaluate_ecssd(model, args.data, args.size, args.eval_limit)
    model.train()
    print(f"eval step {step} | " + " ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)
    with open(os.path.join(args.run, "eval.jsonl"), "a") as f:
        f.write(json.dumps({"step": step, "samples_seen": samples_seen, **scores}) + "\n")
    return (scores["auto_iou"] + scores["box_iou"] + scores["points_iou"]) / 3, scores
