"""The edge refiner trains on crops of the frozen network's own output and lands in a state that
exports like any other head: everything but the refiner is the state it started from."""
import os
import signal

import numpy as np
import torch

from smat_model.modeling.build import REFINER_PREFIX, build_smat
from smat_model.modeling.config import HeadConfig
from smat_model.modeling.prompt_encoding import sam_point_tensors
from smat_model.modeling.smat import SMatHead
from smat_model.training import train_refiner
from smat_model.training.feature_cache import main as build_cache


def test_a_trained_refiner_changes_automatic_mattes_only():
    torch.manual_seed(0)
    plain, refined = SMatHead().eval(), SMatHead().eval()
    refined.load_state_dict(plain.state_dict())  # the refiner starts with no correction
    torch.nn.init.normal_(refined.decoder.refiner.correction.weight, std=0.5)
    feats, image = torch.randn(1, 256, 8, 8), torch.randn(1, 3, 128, 128)
    mask = torch.zeros(1, 1, 128, 128)
    mask[:, :, 30:90, 40:100] = 1
    box = [{"kind": "box", "x": 40, "y": 30, "width": 60, "height": 60}]
    with torch.no_grad():
        for has, prompts, changes in ((0.0, [], True), (1.0, box, False)):
            inputs = (feats, image, mask * has, torch.tensor([has]), *sam_point_tensors(prompts))
            before, after = plain(*inputs)[0], refined(*inputs)[0]
            assert ((after - before).abs().max() > 1e-3) == changes


def test_crops_centre_on_the_band_and_stay_inside_the_image():
    band = np.zeros((64, 64), bool)
    band[60, 3] = True
    corners = train_refiner.crop_corners(np.random.default_rng(0), band, 16)
    assert len(corners) == train_refiner.BAND_CROPS + train_refiner.RANDOM_CROPS
    assert all(0 <= y <= 48 and 0 <= x <= 48 for y, x in corners)
    # The band's only pixel lies in every band crop, pushed inside the image at the border.
    assert all(y <= 60 < y + 16 and x <= 3 < x + 16 for y, x in corners[: train_refiner.BAND_CROPS])


def _is_refiner(key: str) -> bool:
    return key.startswith(REFINER_PREFIX)


def test_trains_only_the_refiner_and_never_restarts_it(tmp_path, data_root):
    cache = tmp_path / "cache"
    build_cache(["--data", data_root, "--out", str(cache), "--size", "64", "--samples", "50"])
    common = ["--cache", str(cache), "--crop", "64", "--batch", "4", "--eval-every", "2"]
    committed = torch.load(train_refiner.COMMITTED_STATE, map_location="cpu")
    without = {**committed, "head": {k: v for k, v in committed["head"].items() if not _is_refiner(k)}}
    torch.save(without, tmp_path / "without.pt")

    # A state without a refiner gains one, from zero, of the width its head configuration names.
    run = tmp_path / "new"
    new = common + ["--run", str(run), "--init-from", str(tmp_path / "without.pt")]
    train_refiner.main(new + ["--steps", "2"])
    assert len(list((run / "crops").glob("*.npz"))) == 2  # one per pool shard
    refined = torch.load(run / "state.pt", map_location="cpu")
    assert refined["config"] == HeadConfig().to_dict()
    assert set(refined["head"]) == set(without["head"]) | {k for k in SMatHead().state_dict() if _is_refiner(k)}
    assert all(torch.equal(refined["head"][k], v) for k, v in without["head"].items())
    assert all(torch.equal(refined["encoder_tail"][k], v) for k, v in without["encoder_tail"].items())
    assert refined["head"]["decoder.refiner.correction.weight"].abs().sum() > 0, "it did not move from zero"
    # The same command resumes from the run's own checkpoint: two more steps, not two from zero.
    train_refiner.main(new + ["--steps", "4"])
    assert torch.load(run / "refiner-last.pt")["step"] == 4 and torch.load(run / "state.pt")["refiner_steps"] == 4
    grown = build_smat(checkpoint=str(run / "state.pt")).head.decoder.refiner
    assert torch.equal(
        grown.correction.weight, torch.load(run / "state.pt")["head"]["decoder.refiner.correction.weight"]
    )

    # The committed state's refiner continues from its own step and weights, on the same frozen network.
    run = tmp_path / "continued"
    done = committed["refiner_steps"]
    train_refiner.main(common + ["--run", str(run), "--steps", str(done + 2)])
    continued = torch.load(run / "state.pt", map_location="cpu")
    assert continued["refiner_steps"] == done + 2
    assert set(continued["head"]) == set(committed["head"])
    assert all(torch.equal(continued["head"][k], v) for k, v in without["head"].items())
    moved = [not torch.equal(continued["head"][k], v) for k, v in committed["head"].items() if _is_refiner(k)]
    assert moved and any(moved)


def test_a_stopped_refiner_run_checkpoints_where_it_stopped(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    crops = {
        "image": rng.normal(size=(8, 3, 64, 64)).astype(np.float32),
        "logit": rng.normal(size=(8, 64, 64)).astype(np.float16),
        "alpha": rng.random((8, 64, 64)).astype(np.float16),
    }
    args = train_refiner.parse_args(["--steps", "100", "--batch", "2", "--eval-every", "50"])
    committed = torch.load(train_refiner.COMMITTED_STATE, map_location="cpu")
    state, carried = train_refiner.split_refiner(committed)
    refiner, opt, step = train_refiner.starting_refiner(args, state, {}, str(tmp_path / "none.pt"))
    assert step == 0 and carried
    calls = []
    real_loss = train_refiner.refiner_loss

    def loss_then_stop(*a):
        calls.append(1)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_loss(*a)

    monkeypatch.setattr(train_refiner, "refiner_loss", loss_then_stop)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        last = str(tmp_path / "refiner-last.pt")
        reached = train_refiner.train_on_crops(args, refiner, opt, step, crops, crops, last)
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert reached == 3
    saved = torch.load(last)
    assert saved["step"] == 3 and saved["opt"]["state"], "the optimiser state travels with the checkpoint"
