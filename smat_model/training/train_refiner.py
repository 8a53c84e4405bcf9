"""The refiner stage: train the full-resolution edge refiner on crops, with the rest of the network frozen.

    npm run train -- --stage refiner --cache runs/cache768 --run runs/refiner

Stage 1 runs the frozen tail and head of the starting state over the cached pool once and keeps
crops around the soft band and the head's mistakes (image, unrefined logit, true alpha), one file
per pool shard, so a stopped run resumes where it was. Stage 2 trains only the refiner on those
crops (L1 + Laplacian, as the head) on the loop every stage shares (`training_loop.py`) and writes
`<run>/state.pt`: the starting state with the refiner added to its head, ready for
`smat_model.export.export_onnx --checkpoint`; stopped with SIGTERM, it checkpoints and writes the
state at the step reached. A starting state that already has a refiner (the committed one) is
split: its refiner continues from its own step. The prompted variants' prompts are drawn as the
head stage draws them. The crops include prompted mattes although the head refines automatic ones
only (docs/training-log.md).

The refiner reads ~33 px around each pixel, so 128-px crops train it as well as whole images at
768 would, at a small fraction of a head step's cost.
"""
import glob
import os
import time

import numpy as np
import torch

from ..modeling.build import REFINER_PREFIX, build_smat, config_of
from ..modeling.edge_refiner import EdgeRefiner
from ..modeling.prompt_encoding import sam_point_tensors
from .feature_cache import pool_trunk_split, trunk_split_of
from .losses import alpha_losses
from .train_head import COMMITTED_STATE, check_trunk_split, prompts_of_variants
from .training_loop import TrainingLoop, training_argument_parser

CROP = 128
# Crops centred on a pixel of the band (soft true alpha, or the head unsure or wrong), then one anywhere.
BAND_CROPS, RANDOM_CROPS = 3, 1


def band_of(alpha_true: np.ndarray, alpha_pred: np.ndarray) -> np.ndarray:
    soft = (alpha_true > 0.02) & (alpha_true < 0.98)
    unsure = (alpha_pred > 0.05) & (alpha_pred < 0.95)
    wrong = np.abs(alpha_pred - alpha_true) > 0.1
    return soft | unsure | wrong


def crop_corners(rng, band: np.ndarray, crop: int):
    """Top-left corners of the crops of one image."""
    hi = band.shape[-1] - crop
    ys, xs = np.nonzero(band)
    corners = []
    for k in range(BAND_CROPS + RANDOM_CROPS):
        if k < BAND_CROPS and len(ys):
            j = rng.integers(len(ys))
            cy, cx = ys[j] - crop // 2, xs[j] - crop // 2
        else:
            cy, cx = rng.integers(hi + 1), rng.integers(hi + 1)
        corners.append((int(np.clip(cy, 0, hi)), int(np.clip(cx, 0, hi))))
    return corners


@torch.no_grad()
def dump_crops(model, shard_file: str, out_file: str, seed: int, crop: int = CROP):
    with np.load(shard_file) as z:
        shard = {k: z[k] for k in z.files}
    model.encoder.tuned_stage2_blocks = trunk_split_of(shard)
    rng = np.random.default_rng(seed)
    images, logits, truths = [], [], []
    for i in range(len(shard["image"])):
        image = torch.from_numpy(shard["image"][i : i + 1].astype(np.float32))
        feats = model.encoder.tail(torch.from_numpy(shard["trunk"][i : i + 1].astype(np.float32)))
        truth = shard["alpha"][i].astype(np.float32)
        masks = torch.from_numpy(shard["prompt_masks"][i : i + 1].astype(np.float32))
        has = torch.from_numpy(shard["has_prompt"][i : i + 1].astype(np.float32))
        variants = prompts_of_variants(rng, torch.from_numpy(truth[None]), masks, has)[0]
        for v, prompts in enumerate(variants):
            points = sam_point_tensors(prompts, scribble_points=model.head.config.scribble_points)
            logit = model.head.unrefined_logit(feats, image, masks[:, v : v + 1], has[:, v], *points)[0, 0].numpy()
            for y, x in crop_corners(rng, band_of(truth, 1 / (1 + np.exp(-logit))), crop):
                images.append(shard["image"][i, :, y : y + crop, x : x + crop])
                logits.append(logit[y : y + crop, x : x + crop].astype(np.float16))
                truths.append(truth[y : y + crop, x : x + crop].astype(np.float16))
    tmp = out_file + ".partial.npz"
    np.savez(tmp, image=np.stack(images), logit=np.stack(logits), alpha=np.stack(truths))
    os.replace(tmp, out_file)


def load_crops(files):
    """All crops, prompted ones too, although only automatic mattes are refined: trained on the
    automatic crops alone (a quarter of them), the refiner lowered ECSSD's automatic IoU (docs/training-log.md)."""
    parts = [np.load(f) for f in files]
    return {k: np.concatenate([p[k] for p in parts]) for k in ("image", "logit", "alpha")}


def batch_of(crops, index):
    as_tensor = lambda name: torch.from_numpy(crops[name][index].astype(np.float32))
    return as_tensor("image"), as_tensor("logit")[:, None], as_tensor("alpha")[:, None]


def refiner_loss(refiner, image, logit, truth):
    """(loss, L1, Laplacian term, refined alpha)."""
    alpha = torch.sigmoid(logit + refiner(image, logit))
    l1, lap = alpha_losses(alpha, truth)
    return l1 + lap, l1.item(), lap.item(), alpha


@torch.no_grad()
def validation_scores(refiner, crops, batch: int = 64):
    """Mean L1, Laplacian loss and soft-band L1 over the held-out crops."""
    l1s, laps, band_err, band_n = [], [], 0.0, 0
    for s in range(0, len(crops["image"]), batch):
        image, logit, truth = batch_of(crops, slice(s, s + batch))
        _, l1, lap, alpha = refiner_loss(refiner, image, logit, truth)
        soft = (truth > 0.02) & (truth < 0.98)
        band_err += float((alpha - truth).abs()[soft].sum())
        band_n += int(soft.sum())
        l1s.append(l1)
        laps.append(lap)
    return {"l1": float(np.mean(l1s)), "lap": float(np.mean(laps)), "soft_l1": band_err / max(band_n, 1)}


class Unrefined(torch.nn.Module):
    """No correction: the refiner's baseline, for the same scores."""

    def forward(self, image, logit):
        return torch.zeros_like(logit)


def parse_args(argv=None):
    p = training_argument_parser(__doc__, run="runs/refiner", steps=3000, eval_every=250, checkpoint_minutes=2.0)
    p.add_argument("--cache", default="runs/cache768", help="pools written by `npm run train:cache`, comma-separated")
    p.add_argument("--init-from", default=COMMITTED_STATE, help="the frozen network the refiner corrects")
    p.add_argument("--shards", type=int, default=None, help="use at most this many shards per pool")
    p.add_argument("--crop", type=int, default=CROP, help="crop side in pixels (at least the refiner's reach)")
    p.add_argument("--val-share", type=float, default=0.1, help="share of each pool's shards held out")
    p.add_argument("--batch", type=int, default=24, help="crops per step")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--crops-only", action="store_true", help="stop after stage 1")
    return p.parse_args(argv)


def split_refiner(state: dict):
    """(the state without its refiner, the refiner's own weights or {}): the network it corrects
    stays frozen, and a carried refiner (the committed one) continues instead of starting from zero."""
    carried = {k[len(REFINER_PREFIX) :]: v for k, v in state["head"].items() if k.startswith(REFINER_PREFIX)}
    base = {**state, "head": {k: v for k, v in state["head"].items() if not k.startswith(REFINER_PREFIX)}}
    return base, carried


def ensure_crops(model, args, crop_dir: str):
    """Stage 1: the crop file of every shard used (written once; a stopped run skips what exists),
    as (training files, held-out files); the last `--val-share` of each pool's shards are held out."""
    train_files, val_files = [], []
    for pool in args.cache.split(","):
        shards = sorted(glob.glob(os.path.join(pool, "shard-*.npz")))[: args.shards]
        held = max(1, int(round(len(shards) * args.val_share)))
        for n, shard in enumerate(shards):
            out = os.path.join(crop_dir, f"{os.path.basename(os.path.normpath(pool))}-{os.path.basename(shard)}")
            if not os.path.exists(out):
                started = time.time()
                dump_crops(model, shard, out, seed=n, crop=args.crop)
                print(f"crops of {shard} in {time.time() - started:.1f} s", flush=True)
            (val_files if n >= len(shards) - held else train_files).append(out)
    return train_files, val_files


def starting_refiner(args, state: dict, carried: dict, last: str):
    """The refiner, its optimiser and its step: this run's checkpoint, else the carried
    refiner, else a new one (zero correction) of the width the state's head configuration names."""
    config = config_of(state)
    refiner = EdgeRefiner(config.edge_refiner_width, config.edge_refiner_dilations)
    opt = torch.optim.AdamW(refiner.parameters(), lr=args.lr, weight_decay=1e-4)
    if os.path.exists(last):
        saved = torch.load(last)
    elif carried:
        saved = {"refiner": carried, "opt": state.get("refiner_opt"), "step": state.get("refiner_steps", 0)}
    else:
        return refiner, opt, 0
    refiner.load_state_dict(saved["refiner"])
    if saved["opt"]:
        opt.load_state_dict(saved["opt"])
    print(f"refiner continues from step {saved['step']}", flush=True)
    return refiner, opt, saved["step"]


def train_on_crops(args, refiner, opt, step: int, train: dict, val: dict, last: str, config: dict = None) -> int:
    """Stage 2 on the shared loop, to `--steps` or until SIGTERM/SIGINT; checkpoints to `last`
    every few minutes and when stopped, so the same command continues. Returns the step reached."""
    rng = np.random.default_rng(step)

    def loss_at(_):
        index = np.sort(rng.choice(len(train["image"]), args.batch, replace=False))
        image, logit, truth = batch_of(train, index)
        # Flips: edges have no preferred side.
        if rng.random() < 0.5:
            image, logit, truth = image.flip(-1), logit.flip(-1), truth.flip(-1)
        loss, l1, lap, _ = refiner_loss(refiner, image, logit, truth)
        return loss, {"l1": l1, "lap": lap}, len(index)

    def evaluate(at):
        scores = validation_scores(refiner, val)
        print(f"held-out at step {at}: {scores}", flush=True)
        return -scores["l1"] - scores["lap"], scores

    loop = TrainingLoop(
        args,
        refiner,
        opt,
        refiner.parameters(),
        lambda: {"refiner": refiner.state_dict(), **({"config": config} if config else {})},
        step,
        evaluate=evaluate,
        last=last,
        clip=None,  # the crops' losses are bounded; the refiner trained unclipped from the start
    )
    loop.run(loss_at)
    return loop.step


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    crop_dir = os.path.join(args.run, "crops")
    os.makedirs(crop_dir, exist_ok=True)

    state = torch.load(args.init_from, map_location="cpu")
    for pool in args.cache.split(","):
        check_trunk_split(state, args.init_from, pool_trunk_split(pool))
    base, carried = split_refiner(state)
    # The refiner's input is the unrefined logit, so the network it corrects runs without it.
    train_files, val_files = ensure_crops(build_smat(checkpoint=args.init_from).eval(), args, crop_dir)
    if args.crops_only:
        return
    if not train_files:
        raise SystemExit(f"{args.cache}: every shard is held out; a pool needs at least 2 shards")

    train, val = load_crops(train_files), load_crops(val_files)
    print(f"{len(train['image'])} training crops, {len(val['image'])} held-out crops", flush=True)
    last = os.path.join(args.run, "refiner-last.pt")
    refiner, opt, step = starting_refiner(args, state, carried, last)
    print(f"unrefined held-out: {validation_scores(Unrefined(), val)}", flush=True)
    config = config_of(state).to_dict()
    step = train_on_crops(args, refiner, opt, step, train, val, last, config)
    head = {**base["head"], **{REFINER_PREFIX + k: v for k, v in refiner.state_dict().items()}}
    refined = {**base, "config": config, "head": head, "refiner_steps": step, "refiner_opt": opt.state_dict()}
    torch.save(refined, os.path.join(args.run, "state.pt"))
    print(f"wrote {os.path.join(args.run, 'state.pt')}", flush=True)


if __name__ == "__main__":
    main()
