"""Training resumes from what is committed: the shipped head graph's weights can be recovered
exactly, new layers start as identities, and the cached pool is reproducible from its seeds."""
import json
import os

import numpy as np
import torch

from smat_model.data.data_root import DataRoot
from smat_model.data.sample_factory import SampleFactory
from smat_model.export.onnx_runner import run_onnx
from smat_model.export.recover_from_onnx import recover_head
from smat_model.modeling.build import head_layout
from smat_model.modeling.candidate import PromptAffinity, PromptReader
from smat_model.modeling.decoder import without_detail_prompt
from smat_model.modeling.smat import SMatHead
from smat_model.training.feature_cache import SHARD, CachedPool, build_shard, shard_path

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHIPPED_HEAD = os.path.join(REPO, "models", "smat-head.onnx")


def _inputs(size=512, seed=0):
    g = torch.Generator().manual_seed(seed)
    feats = torch.randn(1, 256, size // 16, size // 16, generator=g)
    image = torch.randn(1, 3, size, size, generator=g)
    mask = torch.zeros(1, 1, size, size)
    mask[..., size // 5 : size // 2, size // 4 : size // 2] = 1
    return feats, image, mask


def test_weights_recovered_from_the_shipped_head_reproduce_it():
    head, state = recover_head(SHIPPED_HEAD)
    head.load_state_dict(state, strict=False)
    head.eval()
    # The graph's shapes are fixed at the size model.json names (768 for the shipped graphs).
    with open(os.path.join(REPO, "models", "model.json")) as f:
        feats, image, mask = _inputs(size=json.load(f)["inputSize"])
    for has in (0.0, 1.0):
        with torch.no_grad():
            alpha, sim = head(feats, image, mask * has, torch.tensor([has]))
        out = run_onnx(
            SHIPPED_HEAD,
            {
                "features": feats.numpy(),
                "image": image.numpy(),
                "prompt_mask": (mask * has).numpy(),
                "has_prompt": np.array([has], np.float32),
            },
        )
        assert np.abs(out["alpha"] - alpha.numpy()).max() < 1e-4
        assert np.abs(out["similarity"] - sim.numpy()).max() < 1e-4


def test_a_new_token_mixer_starts_as_the_identity():
    torch.manual_seed(0)
    plain = SMatHead(mixer_layers=0).eval()
    mixed = SMatHead(mixer_layers=2).eval()
    missing, unexpected = mixed.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and missing and all(("mixer" in k) or ("dense_prompt" in k) for k in missing)
    feats, image, mask = _inputs(128)
    with torch.no_grad():
        a0, s0 = plain(feats, image, mask, torch.tensor([1.0]))
        a1, s1 = mixed(feats, image, mask, torch.tensor([1.0]))
    assert torch.allclose(a0, a1, atol=1e-6) and torch.allclose(s0, s1, atol=1e-6)


def _grown_head_gives_the_same_output(plain: SMatHead, grown: SMatHead, new_layer: str, start=None):
    """Loads `plain` into `grown`, whose only extra weights are `new_layer`'s; both run on one input."""
    missing, unexpected = grown.load_state_dict(plain.state_dict(), strict=False)
    assert not unexpected and missing and all(new_layer in k for k in missing)
    if start:
        start(grown)
    feats, image, mask = _inputs(128)
    with torch.no_grad():
        a0, s0 = plain.eval()(feats, image, mask, torch.tensor([1.0]))
        a1, s1 = grown.eval()(feats, image, mask, torch.tensor([1.0]))
    return torch.equal(a0, a1) and torch.equal(s0, s1)


def test_a_new_prompt_affinity_starts_with_no_effect():
    torch.manual_seed(0)
    layout = {"mixer_layers": 0, "dense_prompt": False, "detail_prompt": False}
    assert _grown_head_gives_the_same_output(
        SMatHead(**layout), SMatHead(**layout, prompt_affinity=True), "prompt_affinity"
    )


def test_prompt_affinity_scores_each_token_by_the_closest_prompted_token():
    torch.manual_seed(0)
    affinity = PromptAffinity()
    affinity.weight_from_coverage.bias.data[:] = torch.tensor([1.0, 0.0])  # added logit = affinity
    keys = torch.nn.functional.normalize(torch.randn(2, 16, 4, 4), dim=1)
    keys[:, :, 3, 3] = keys[:, :, 0, 0]  # an unprompted token that looks exactly like a clicked one
    weights = torch.zeros(2, 1, 4, 4)
    weights[:, :, 0, 0] = 0.5  # two clicks of different looks
    weights[:, :, 2, 1] = 0.5
    added = affinity(keys, weights, torch.tensor([1.0, 0.0]))
    clicked_look = added[0, 0, 3, 3].item()
    unrelated = torch.cat([added[0, 0, 1, 1:3], added[0, 0, 0, 2:]])
    assert clicked_look > 0.9 and (unrelated < 0.6).all()
    assert torch.equal(added[1], torch.zeros_like(added[1]))  # no prompt: nothing added


def test_a_new_prompt_reader_starts_with_no_effect_and_as_a_copy_of_the_automatic_path():
    torch.manual_seed(0)
    layout = {"mixer_layers": 0, "dense_prompt": False, "detail_prompt": False, "prompt_affinity": True}
    grown = SMatHead(**layout, prompt_reader=True)
    candidate = grown.candidate

    assert _grown_head_gives_the_same_output(
        SMatHead(**layout), grown, "prompt_reader", lambda head: head.candidate.start_prompt_reader()
    )
    assert torch.equal(candidate.prompt_reader.query, candidate.saliency_query)
    assert torch.equal(candidate.prompt_reader.read.q.weight, candidate.updates[0].q.weight)


def test_the_prompt_reader_reads_only_the_prompted_tokens():
    torch.manual_seed(0)
    reader = PromptReader(32, 4).eval()
    torch.nn.init.eye_(reader.inject.weight)
    tokens = torch.randn(1, 16, 32)
    weights = torch.zeros(1, 1, 4, 4)
    weights[:, :, 1:3, 1:3] = 1.0  # a box over the four middle cells
    changed = tokens.clone()
    outside = weights.flatten() == 0
    changed[:, outside] = torch.randn(1, int(outside.sum()), 32) * 5
    inside_changed = tokens.clone()
    inside_changed[:, ~outside] = torch.randn(1, int((~outside).sum()), 32)
    with torch.no_grad():
        read = reader(tokens, weights)
        assert torch.allclose(read, reader(changed, weights), atol=1e-2)
        assert not torch.allclose(read, reader(inside_changed, weights), atol=1e-1)


def test_a_new_edge_refiner_starts_with_no_effect():
    torch.manual_seed(0)
    layout = {"mixer_layers": 0, "dense_prompt": False, "detail_prompt": False, "prompt_affinity": True}
    assert _grown_head_gives_the_same_output(SMatHead(**layout), SMatHead(**layout, edge_refiner=8), "decoder.refiner")


def test_a_saved_head_names_the_layout_that_loads_it_strictly():
    off = {"prompt_reader": False, "edge_refiner": 0}
    for layout in (
        {"mixer_layers": 0, "dense_prompt": False, "detail_prompt": False, "prompt_affinity": False, **off},
        {"mixer_layers": 2, "dense_prompt": True, "detail_prompt": True, "prompt_affinity": False, **off},
        {"mixer_layers": 0, "dense_prompt": False, "detail_prompt": False, "prompt_affinity": True, **off},
        {
            "mixer_layers": 0,
            "dense_prompt": False,
            "detail_prompt": False,
            "prompt_affinity": True,
            "prompt_reader": True,
            "edge_refiner": 0,
        },
        {**off, "mixer_layers": 0, "dense_prompt": False, "detail_prompt": False, "prompt_affinity": True}
        | {"edge_refiner": 8},
    ):
        state = SMatHead(**layout).state_dict()
        assert head_layout(state) == layout
        SMatHead(**head_layout(state)).load_state_dict(state)  # strict: no key missing or left over


def test_dropping_the_detail_prompt_keeps_everything_the_decoder_read_from_the_image():
    torch.manual_seed(0)
    with_prompt = SMatHead(mixer_layers=0, dense_prompt=False).eval()
    for p in with_prompt.parameters():  # trained-looking weights, not the zero-initialised last layer
        p.data.normal_(0, 0.05)
    without = SMatHead(mixer_layers=0, dense_prompt=False, detail_prompt=False).eval()
    without.load_state_dict(without_detail_prompt(with_prompt.state_dict()))
    feats, image, mask = _inputs(128)
    with torch.no_grad():
        # The full-resolution mask is the only input dropped: fed the same coverage (through
        # has_prompt = 0 and an empty mask) the two heads agree exactly.
        empty = torch.zeros_like(mask)
        a0, _ = with_prompt(feats, image, empty, torch.tensor([0.0]))
        a1, _ = without(feats, image, empty, torch.tensor([0.0]))
        assert torch.allclose(a0, a1, atol=1e-6)
        # With a prompt, only the decoder's full-resolution reading of it differs.
        b0, s0 = with_prompt(feats, image, mask, torch.tensor([1.0]))
        b1, s1 = without(feats, image, mask, torch.tensor([1.0]))
        assert torch.equal(s0, s1) and not torch.allclose(b0, b1)


def test_cache_shards_are_rebuilt_identically_from_their_seed(tmp_path, data_root, encoder):
    factory = SampleFactory(DataRoot(data_root), 64)
    first = build_shard(encoder, factory, seed=7, auto_fraction=0.5)
    again = build_shard(encoder, factory, seed=7, auto_fraction=0.5)
    for key in first:
        assert np.array_equal(first[key], again[key]), key
    assert first["trunk"].shape == (SHARD, 160, 4, 4)
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
    assert image.shape == (3, 3, 64, 64) and trunk.shape == (3, 160, 4, 4)
    assert alpha.shape == (3, 64, 64) and masks.shape[:2] == (3, 2) and has.shape == (3, 2)
