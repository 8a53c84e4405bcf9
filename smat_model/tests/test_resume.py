"""Training resumes from what is committed: a state of an earlier head loads by dropping exactly
its retired layers, layers it lacks start from sam.onnx or at zero, every state records the head
configuration, and the cached pool is reproducible from its seeds."""
import numpy as np
import pytest
import torch

from smat_model.data.data_root import DataRoot
from smat_model.data.sample_factory import SampleFactory
from smat_model.modeling.build import RETIRED_PREFIXES, build_smat, config_of, load_head_state
from smat_model.modeling.config import HeadConfig
from smat_model.modeling.load_sam_weights import sam_state_from_onnx
from smat_model.modeling.prompt_encoding import sam_point_tensors
from smat_model.modeling.smat import SMatHead
from smat_model.training.feature_cache import SHARD, CachedPool, build_shard, shard_path
from smat_model.training.train_head import COMMITTED_STATE


@pytest.fixture(scope="module")
def committed():
    return torch.load(COMMITTED_STATE, map_location="cpu")


def _inputs(size=128, seed=0):
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(1, 256, size // 16, size // 16, generator=g)
    image = torch.randn(1, 3, size, size, generator=g)
    mask = torch.zeros(1, 1, size, size)
    mask[..., size // 5 : size // 2, size // 4 : size // 2] = 1
    return feats, image, mask


def test_the_committed_state_loads_with_sam_from_sam_onnx_and_the_pooled_token_at_zero(committed):
    # As committed before SAM's interaction (the file may already hold it: its keys are taken out).
    earlier = {k: v for k, v in committed["head"].items() if not k.startswith("prompted.")}
    earlier["candidate.prompt_affinity.temperature"] = torch.tensor(10.0)  # a retired layer, kept or not
    head = SMatHead(config_of(committed))
    torch.nn.init.normal_(head.prompted.pooled_feature.weight)
    started = load_head_state(head, earlier, COMMITTED_STATE)
    assert started == {"prompted.sam.": "from sam.onnx", "prompted.pooled_feature.": "at zero"}
    loaded = head.state_dict()
    assert all(torch.equal(loaded["prompted.sam." + k], v) for k, v in sam_state_from_onnx().items())
    assert all(p.abs().sum() == 0 for p in head.prompted.pooled_feature.parameters())
    # Every other weight is the state's own, the retired layers' aside.
    assert all(torch.equal(loaded[k], v) for k, v in earlier.items() if not k.startswith(RETIRED_PREFIXES))
    # The file as committed loads the same way, its own SAM weights included when it has them.
    head = SMatHead(config_of(committed))
    load_head_state(head, committed["head"], COMMITTED_STATE)
    loaded = head.state_dict()
    assert all(torch.equal(loaded[k], v) for k, v in committed["head"].items() if not k.startswith(RETIRED_PREFIXES))


def test_a_state_without_the_pooled_token_or_the_refiner_starts_them_with_no_effect(committed):
    torch.manual_seed(0)
    full = SMatHead()
    load_head_state(full, committed["head"], "committed")
    for p in full.prompted.pooled_feature.parameters():  # a trained-looking token
        p.data.normal_(0, 0.05)
    state = full.state_dict()
    without = {k: v for k, v in state.items() if not k.startswith(("prompted.pooled_feature.", "decoder.refiner."))}
    head = SMatHead()
    torch.nn.init.normal_(head.prompted.pooled_feature.weight)
    started = load_head_state(head, without, "a state without them")
    assert set(started) == {"prompted.pooled_feature.", "decoder.refiner."}
    assert all(p.abs().sum() == 0 for p in head.prompted.pooled_feature.parameters())
    assert head.decoder.refiner.correction.weight.abs().sum() == 0
    # With the token at zero and no refiner correction, the head is the one without them.
    torch.nn.init.zeros_(full.prompted.pooled_feature.weight)
    torch.nn.init.zeros_(full.prompted.pooled_feature.bias)
    torch.nn.init.zeros_(full.decoder.refiner.correction.weight)
    torch.nn.init.zeros_(full.decoder.refiner.correction.bias)
    feats, image, mask = _inputs()
    coords, labels = sam_point_tensors([{"kind": "point", "x": 40, "y": 30}])
    with torch.no_grad():
        for has in (0.0, 1.0):
            a0, _ = full.eval()(feats, image, mask, torch.tensor([has]), coords, labels)
            a1, _ = head.eval()(feats, image, mask, torch.tensor([has]), coords, labels)
            assert torch.allclose(a0, a1, atol=1e-6)


def test_retired_layers_are_dropped_and_any_other_unknown_or_missing_key_is_refused(committed):
    state = dict(SMatHead().state_dict())
    retired = {p + "weight": torch.zeros(3) for p in RETIRED_PREFIXES}
    load_head_state(SMatHead(), {**state, **retired}, "a state with retired layers")
    with pytest.raises(ValueError, match="candidate.something_new.weight"):
        load_head_state(SMatHead(), {**state, "candidate.something_new.weight": torch.zeros(3)}, "x")
    with pytest.raises(ValueError, match="lacks head weights.*candidate.sim_key.weight"):
        load_head_state(SMatHead(), {k: v for k, v in state.items() if k != "candidate.sim_key.weight"}, "x")
    partial = {k: v for k, v in state.items() if k != "prompted.sam.mask_decoder.output_tokens"}
    with pytest.raises(ValueError, match="some of prompted.sam"):
        load_head_state(SMatHead(), partial, "x")


def test_build_smat_builds_the_shipped_head_and_a_checkpoint_in_its_saved_config(tmp_path, committed):
    assert SMatHead().config == HeadConfig() == config_of(committed)
    shipped = build_smat().head  # untrained, on SAM's pretrained interaction
    assert shipped.config == HeadConfig()
    loaded = shipped.state_dict()
    assert all(torch.equal(loaded["prompted.sam." + k], v) for k, v in sam_state_from_onnx().items())
    state = {**committed, "config": HeadConfig(edge_refiner_width=4).to_dict()}
    state["head"] = {k: v for k, v in committed["head"].items() if not k.startswith("decoder.refiner.")}
    torch.save(state, tmp_path / "narrow.pt")
    model = build_smat(checkpoint=str(tmp_path / "narrow.pt"))
    assert model.head.config.edge_refiner_width == 4
    assert model.head.decoder.refiner.correction.weight.shape[1] == 4
    with pytest.raises(ValueError, match="was saved by a head with"):
        build_smat(HeadConfig(), str(tmp_path / "narrow.pt"))


def test_head_config_round_trips_and_refuses_what_it_does_not_know():
    config = HeadConfig(decoder_widths=(64, 48, 32, 16, 8), scribble_points=4)
    assert HeadConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="mixer_layers"):
        HeadConfig.from_dict({**config.to_dict(), "mixer_layers": 1})
    with pytest.raises(ValueError, match="backbone gives 256"):
        HeadConfig(feature_dim=320)


def test_cache_shards_are_rebuilt_identically_from_their_seed(tmp_path, data_root, encoder):
    factory = SampleFactory(DataRoot(data_root), 64)
    first = build_shard(encoder, factory, seed=7, auto_fraction=0.5)
    again = build_shard(encoder, factory, seed=7, auto_fraction=0.5)
    for key in first:
        assert np.array_equal(first[key], again[key]), key
    assert first["trunk"].shape == (SHARD, encoder.trunk_channels, 4, 4)
    assert first["image"].shape == (SHARD, 3, 64, 64)
    # Trunk + tail on the cached trunk output equals the whole encoder on the image.
    image = torch.from_numpy(first["image"][:1].astype(np.float32))
    with torch.no_grad():
        whole = encoder(image)
        split = encoder.tail(torch.from_numpy(first["trunk"][:1].astype(np.float32)))
    assert torch.allclose(whole, split, atol=5e-2 * whole.abs().max().item())  # fp16 cache

    np.savez(shard_path(str(tmp_path), 0), **first)
    pool = CachedPool(str(tmp_path))
    assert pool.refresh() == SHARD
    image, trunk, alpha, masks, has = pool.batch(np.random.default_rng(0), 3)
    assert image.shape == (3, 3, 64, 64) and trunk.shape == (3, encoder.trunk_channels, 4, 4)
    assert alpha.shape == (3, 64, 64) and masks.shape[:2] == (3, 2) and has.shape == (3, 2)
