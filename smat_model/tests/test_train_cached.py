"""The default trainer runs on a cached pool, tunes only the encoder tail and the head, and resumes
where it stopped instead of starting again."""
import numpy as np
import torch

from smat_model.modeling.build import build_encoder
from smat_model.training import train_cached
from smat_model.training.feature_cache import main as build_cache


def _run(tmp_path, data_root, steps):
    train_cached.main(
        [
            "--data",
            data_root,
            "--cache",
            str(tmp_path / "cache"),
            "--run",
            str(tmp_path / "run"),
            "--size",
            "64",
            "--stop-after",
            str(steps),
            "--eval-every",
            "100000",
            "--threads",
            "2",
        ]
    )
    return torch.load(tmp_path / "run" / "last.pt", map_location="cpu")


def test_trains_the_tail_and_head_and_resumes(tmp_path, data_root):
    build_cache(["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "25"])
    first = _run(tmp_path, data_root, steps=1)
    # A new run starts from the shipped model (or its committed state), not from zero.
    shipped_step = train_cached.starting_state(
        train_cached.parse_args(["--run", str(tmp_path / "none")]), str(tmp_path / "none" / "last.pt")
    )[1]["step"]
    assert shipped_step > 0 and first["step"] == shipped_step + 1 and first["samples_seen"] > 0
    second = _run(tmp_path, data_root, steps=1)
    assert second["step"] == shipped_step + 2
    assert second["samples_seen"] > first["samples_seen"]
    frozen = build_encoder().state_dict()
    tuned = second["encoder_tail"]
    assert set(tuned) and all(k.split(".")[0] in ("merge2", "stage3", "neck") for k in tuned)
    assert any(not torch.equal(tuned[k], frozen[k]) for k in tuned), "the tail did not move"
    assert any(not torch.equal(second["head"][k], first["head"][k]) for k in second["head"])
    assert np.isfinite([second["best"]]).all()
