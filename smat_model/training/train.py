"""Train the SMat head alone on the frozen encoder, with fresh augmentation every step.

    python3 -m smat_model.training.train --data ../shared/data --run runs/head-only [--hours 2]

Every step encodes its images, so this is several times slower than `smat_model.training.train_cached`
(the default, `npm run train`); it stays for head-only ablations against the cached pool.

Resumable: re-running the same command continues from runs/<name>/last.pt. Prints step,
samples/s, loss and ETA; checkpoints every few minutes; keeps best.pt by validation score.
"""
import os

import numpy as np
import torch

from ..data.data_root import DataRoot
from ..data.sample_factory import SampleFactory
from ..modeling.build import build_encoder, head_in_layout_of
from ..modeling.smat import SMat, SMatHead
from .losses import smat_loss
from .training_loop import TrainingLoop, lr_at, prepare_run, training_argument_parser


def parse_args(argv=None):
    p = training_argument_parser(__doc__, size=384, eval_every=400)
    p.add_argument("--auto-fraction", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument(
        "--init-head-from",
        default=None,
        help="start a new run from these head weights (e.g. models/checkpoint/smat-train-state.pt); "
        "layers the file lacks keep their fresh initialisation",
    )
    p.add_argument(
        "--init-candidate-from",
        default=None,
        help="start a new run with the candidate/similarity weights of another checkpoint",
    )
    return p.parse_args(argv)


def make_batch(factory, rng, n_images, auto_fraction):
    samples = [
        factory.automatic(rng) if rng.random() < auto_fraction else factory.interactive(rng) for _ in range(n_images)
    ]
    images = torch.from_numpy(np.stack([s.image for s in samples]))
    k = samples[0].prompt_masks.shape[0]
    # Every image carries k prompt variants: the encoder runs once per image, the head k times.
    index = torch.arange(len(samples)).repeat_interleave(k)
    masks = torch.from_numpy(np.concatenate([s.prompt_masks for s in samples]))[:, None]
    has = torch.from_numpy(np.concatenate([s.has_prompt for s in samples]))
    alpha = torch.from_numpy(np.stack([s.alpha for s in samples]))[:, None][index]
    return images, index, masks, has, alpha


def resume(last, model, opt):
    state = torch.load(last, map_location="cpu")
    model.head.load_state_dict(state["head"])
    opt.load_state_dict(state["opt"])
    step, best = state["step"], state.get("best", -1.0)
    print(f"resumed from {last} at step {step} (best score {best:.4f})", flush=True)
    return step, best, state.get("samples_seen", 0)


def init_head_from(path, model, opt):
    """A new run from another run's head; layers it lacks keep their fresh initialisation."""
    state = torch.load(path, map_location="cpu")
    missing, unexpected = model.head.load_state_dict(state["head"], strict=False)
    if unexpected:
        raise ValueError(f"{path} has weights this head lacks: {unexpected}")
    step, samples_seen = state.get("step", 0), state.get("samples_seen", 0)
    # Adam's moments only line up with the parameters when the head has no new layers.
    if "opt" in state and not missing:
        opt.load_state_dict(state["opt"])
    print(f"head from {path} at step {step}; new layers: {missing or 'none'}", flush=True)
    return step, -1.0, samples_seen


def init_candidate_from(path, model):
    head_state = torch.load(path, map_location="cpu")["head"]
    candidate = {k[len("candidate.") :]: v for k, v in head_state.items() if k.startswith("candidate.")}
    model.head.candidate.load_state_dict(candidate)
    print(f"candidate weights from {path}", flush=True)
    return 0, -1.0, 0


def starting_point(args, model, opt):
    """(step, best score, samples seen): this run's checkpoint, else the weights asked for, else fresh."""
    last = os.path.join(args.run, "last.pt")
    if os.path.exists(last):
        return resume(last, model, opt)
    if args.init_head_from:
        return init_head_from(args.init_head_from, model, opt)
    if args.init_candidate_from:
        return init_candidate_from(args.init_candidate_from, model)
    return 0, -1.0, 0


def head_only_loss(args, model, factory, rng):
    """`loss_at(step)` for TrainingLoop: fresh samples through the frozen encoder, then the head."""

    def loss_at(step):
        images, index, masks, has, gt = make_batch(factory, rng, args.images_per_step, args.auto_fraction)
        with torch.no_grad():
            feats = model.encoder(images)
        alpha, sim = model.head(feats[index], images[index], masks, has)
        loss, parts = smat_loss(alpha, sim, gt)
        return loss, parts, len(index)

    return loss_at


def head_for(args) -> SMatHead:
    """A head in the layout of the state the run starts from (resumed or given), else the default."""
    last = os.path.join(args.run, "last.pt")
    source = last if os.path.exists(last) else args.init_head_from
    return head_in_layout_of(torch.load(source, map_location="cpu")["head"] if source else None)


def main(argv=None):
    args = prepare_run(parse_args(argv))
    factory = SampleFactory(DataRoot(args.data), args.size)
    model = SMat(build_encoder(), head_for(args))
    opt = torch.optim.AdamW(model.head.parameters(), lr=args.lr, weight_decay=1e-4)
    step, best, samples_seen = starting_point(args, model, opt)
    rng = np.random.default_rng(args.seed + step)
    loop = TrainingLoop(
        args, model, opt, model.head.parameters(), lambda: {"head": model.head.state_dict()}, step, best, samples_seen
    )
    loop.run(head_only_loss(args, model, factory, rng), lambda: f" | lr {lr_at(loop.step, args.steps, args.lr):.2e}")


if __name__ == "__main__":
    main()
