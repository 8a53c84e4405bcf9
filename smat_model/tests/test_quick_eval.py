"""The checkpoint-picking score covers the held-out composites too: picking by ECSSD alone let a
run trade composite point prompts (0.52 -> 0.46 IoU) for ECSSD gains."""

import argparse
import json

import numpy as np
from PIL import Image

from smat_model.data import make_val_composites
from smat_model.modeling.build import build_smat
from smat_model.training.quick_eval import PICKING_COMPOSITES, evaluate_and_log
from smat_model.training.train_head import COMMITTED_STATE, parse_args


def test_score_is_the_mean_iou_over_ecssd_and_composites(tmp_path, data_root):
    composites = tmp_path / "composites"
    make_val_composites.main(["--data", data_root, "--out", str(composites), "--count", "2"])
    model = build_smat(checkpoint=COMMITTED_STATE)
    args = argparse.Namespace(
        data=data_root, size=128, eval_limit=4, eval_composites=2, composites=str(composites), run=str(tmp_path)
    )
    score, scores = evaluate_and_log(model, args, step=7, samples_seen=28)
    ious = ["auto_iou", "box_iou", "points_iou", "comp_box_iou", "comp_points_iou"]
    assert set(ious) <= set(scores)
    assert all(0.0 <= scores[k] <= 1.0 for k in ious)
    assert abs(score - sum(scores[k] for k in ious) / len(ious)) < 1e-12
    # The box drawn around a composite's own target finds it with the committed state.
    assert scores["comp_box_iou"] > 0.3
    logged = json.loads((tmp_path / "eval.jsonl").read_text().splitlines()[-1])
    assert logged["step"] == 7 and logged["comp_points_iou"] == scores["comp_points_iou"]
    assert model.training, "evaluation hands the model back in training mode"


def test_checkpoints_are_picked_on_composites_apart_from_the_validation_set(tmp_path, data_root):
    assert parse_args([]).composites == PICKING_COMPOSITES
    validation, picking = tmp_path / "validation", tmp_path / "picking"
    make_val_composites.main(["--data", data_root, "--out", str(validation), "--count", "3"])
    seed = str(make_val_composites.PICKING_SEED)
    make_val_composites.main(["--data", data_root, "--out", str(picking), "--count", "3", "--seed", seed])
    read = lambda folder, n: np.asarray(Image.open(folder / "images" / f"{n:03d}.png"))
    for n in range(3):
        assert not np.array_equal(read(validation, n), read(picking, n))
