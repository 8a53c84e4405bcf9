"""PyTorch-side validation used to pick checkpoints while training (the shipped numbers come from
`smat eval` on the exported ONNX files)."""
import json
import os

import numpy as np
import torch
from PIL import Image

from ..data.image_ops import letterbox, normalise
from ..data.make_val_composites import PICKING_SEED
from ..data.make_val_composites import main as make_val_composites
from ..data.prompt_simulation import bbox, point_prompts
from ..modeling.prompt_encoding import rasterize_prompts, sam_point_tensors

PICKING_COMPOSITES = os.path.join("runs", "pick-composites")


def _read(path: str, mode: str):
    return np.asarray(Image.open(path).convert(mode), np.float32) / 255


@torch.no_grad()
def evaluate_folder(model, folder: str, size: int, limit: int, kinds=("auto", "box", "points")):
    """IoU at 0.5 (and MAE for auto) of the first `limit` photos of a folder with images/ and
    masks/<name>.png, per prompt kind; points are 10 clicks drawn with seed 0."""
    names = sorted(os.listdir(os.path.join(folder, "images")))[:limit]
    stats = {f"{k}_iou": [] for k in kinds}
    if "auto" in kinds:
        stats["auto_mae"] = []
    rng = np.random.default_rng(0)
    for name in names:
        img = _read(os.path.join(folder, "images", name), "RGB")
        gt = _read(os.path.join(folder, "masks", os.path.splitext(name)[0] + ".png"), "L")
        canvas, a, valid, scale = letterbox(img, gt, size)
        x = torch.from_numpy(normalise(canvas, valid))[None]
        feats = model.encoder(x)
        b = bbox(a)
        box = [{"kind": "box", "x": b[0], "y": b[1], "width": b[2] - b[0], "height": b[3] - b[1]}]
        variants = {"auto": [], "box": box, "points": point_prompts(rng, a, 10)}
        gt_bin = a[valid] > 0.5
        for key in kinds:
            m, has = rasterize_prompts(variants[key], 1.0, size)
            coords, labels = sam_point_tensors(variants[key])
            alpha, _ = model.head(feats, x, torch.from_numpy(m)[None, None], torch.tensor([float(has)]), coords, labels)
            p = alpha[0, 0].numpy()[valid]
            inter, union = ((p > 0.5) & gt_bin).sum(), ((p > 0.5) | gt_bin).sum()
            stats[f"{key}_iou"].append(inter / union if union else 1.0)
            if key == "auto":
                stats["auto_mae"].append(np.abs(p - a[valid]).mean())
    return {k: float(np.mean(v)) for k, v in stats.items()}


def evaluate_ecssd(model, data_root: str, size: int, limit: int = 50):
    return evaluate_folder(model, os.path.join(data_root, "ecssd-val"), size, limit)


def evaluate_composites(model, folder: str, size: int, limit: int = 50):
    """The held-out composites (`smat_model.data.make_val_composites`): prompts only, as in validate.
    Without them, picking by ECSSD alone let a run trade composite points for ECSSD gains."""
    scores = evaluate_folder(model, folder, size, limit, kinds=("box", "points"))
    return {f"comp_{k}": v for k, v in scores.items()}


def ensure_picking_composites(data_root: str, folder: str):
    """Writes the default picking set when it is missing (~16 s); another folder is used as given."""
    if folder == PICKING_COMPOSITES and not os.path.isdir(os.path.join(folder, "images")):
        make_val_composites(["--data", data_root, "--out", folder, "--seed", str(PICKING_SEED)])


def evaluate_and_log(model, args, step: int, samples_seen: int):
    """The periodic checkpoint-picking evaluation of both trainers: prints it, appends it to
    <run>/eval.jsonl, and returns (mean IoU over every scored set and prompt, all scores)."""
    model.eval()
    scores = evaluate_ecssd(model, args.data, args.size, args.eval_limit)
    composites = getattr(args, "composites", None)
    ensure_picking_composites(args.data, composites)
    if composites and os.path.isdir(os.path.join(composites, "images")):
        scores.update(evaluate_composites(model, composites, args.size, args.eval_composites))
    model.train()
    print(f"eval step {step} | " + " ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)
    with open(os.path.join(args.run, "eval.jsonl"), "a") as f:
        f.write(json.dumps({"step": step, "samples_seen": samples_seen, **scores}) + "\n")
    ious = [v for k, v in scores.items() if k.endswith("_iou")]
    return sum(ious) / len(ious), scores
