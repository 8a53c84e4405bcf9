"""Train the SMat head on the frozen pretrained encoder.

    python3 -m smat_model.train --data ../shared/data --run runs/main [--hours 2]

Resumable: re-running the same command continues from runs/<name>/last.pt. Prints step,
samples/s, loss and ETA; checkpoints every few minutes; keeps best.pt by validation score.
"""
import argparse
import json
import os
import signal
import time

import numpy as np
import torch

from .build import build_encoder
from .data import DataRoot, SampleFactory
from .losses import smat_loss
from .quick_eval import evaluate_ecssd
from .smat import SMat, SMatHead


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", "../shared/data"))
    p.add_argument("--run", default="runs/main")
    p.add_argument("--size", type=int, default=384, help="training input size (square)")
    p.add_argument("--steps", type=int, default=20000)
    p.add_argument("--hours", type=float, default=None, help="stop this invocation after this long")
    p.add_argument("--images-per-step", type=int, default=2)
    p.add_argument("--auto-fraction", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=4e-4)
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--eval-every", type=int, default=400)
    p.add_argument("--eval-limit", type=int, default=40)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--init-head-from", default=None,
                   help="start a new run from these head weights (e.g. the committed models/checkpoint/head.pt); "
                        "layers the file lacks keep their fresh initialisation")
    p.add_argument("--init-candidate-from", default=None,
                   help="start a new run with the candidate/similarity weights of another checkpoint")
    return p.parse_args(argv)


def make_batch(factory, rng, n_images, auto_fraction):
    samples = [factory.automatic(rng) if rng.random() < auto_fraction else factory.interactive(rng)
               for _ in range(n_images)]
    images = torch.from_numpy(np.stack([s.image for s in samples]))
    k = samples[0].prompt_masks.shape[0]
    # Every image carries k prompt variants: the encoder runs once per image, the head k times.
    index = torch.arange(len(samples)).repeat_interleave(k)
    masks = torch.from_numpy(np.concatenate([s.prompt_masks for s in samples]))[:, None]
    has = torch.from_numpy(np.concatenate([s.has_prompt for s in samples]))
    alpha = torch.from_numpy(np.stack([s.alpha for s in samples]))[:, None][index]
    return images, index, masks, has, alpha


def lr_at(step, total, base):
    warm = 200
    if step < warm:
        return base * (step + 1) / warm
    return base * 0.5 * (1 + np.cos(np.pi * min(1.0, (step - warm) / max(1, total - warm))))


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    data = DataRoot(args.data)
    factory = SampleFactory(data, args.size)
    model = SMat(build_encoder(), SMatHead())
    opt = torch.optim.AdamW(model.head.parameters(), lr=args.lr, weight_decay=1e-4)
    step, best, samples_seen = 0, -1.0, 0
    last = os.path.join(args.run, "last.pt")
    if os.path.exists(last):
        state = torch.load(last, map_location="cpu")
        model.head.load_state_dict(state["head"])
        opt.load_state_dict(state["opt"])
        step, best = state["step"], state.get("best", -1.0)
        samples_seen = state.get("samples_seen", 0)
        print(f"resumed from {last} at step {step} (best score {best:.4f})", flush=True)
    elif args.init_head_from:
        state = torch.load(args.init_head_from, map_location="cpu")
        missing, unexpected = model.head.load_state_dict(state["head"], strict=False)
        if unexpected:
            raise ValueError(f"{args.init_head_from} has weights this head lacks: {unexpected}")
        step, samples_seen = state.get("step", 0), state.get("samples_seen", 0)
        if "opt" in state and not missing:
            opt.load_state_dict(state["opt"])
        print(f"head from {args.init_head_from} at step {step}; new layers: {missing or 'none'}", flush=True)
    elif args.init_candidate_from:
        head_state = torch.load(args.init_candidate_from, map_location="cpu")["head"]
        candidate = {k[len("candidate."):]: v for k, v in head_state.items() if k.startswith("candidate.")}
        model.head.candidate.load_state_dict(candidate)
        print(f"candidate weights from {args.init_candidate_from}", flush=True)
    rng = np.random.default_rng(args.seed + step)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))

    def save(path, extra=None):
        tmp = path + ".tmp"
        torch.save({"head": model.head.state_dict(), "opt": opt.state_dict(), "step": step, "best": best,
                    "samples_seen": samples_seen,
                    "args": vars(args), **(extra or {})}, tmp)
        os.replace(tmp, path)

    started = time.time()
    last_ckpt = time.time()
    window_t, window_n, running = time.time(), 0, None
    model.head.train()
    while step < args.steps and not stop["now"]:
        if args.hours and time.time() - started > args.hours * 3600:
            break
        images, index, masks, has, gt = make_batch(factory, rng, args.images_per_step, args.auto_fraction)
        with torch.no_grad():
            feats = model.encoder(images)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, args.lr)
        alpha, sim = model.head(feats[index], images[index], masks, has)
        loss, parts = smat_loss(alpha, sim, gt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.head.parameters(), 1.0)
        opt.step()
        step += 1
        window_n += len(index)
        samples_seen += len(index)
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 20 == 0:
            dt = time.time() - window_t
            rate = window_n / dt
            eta = (args.steps - step) * dt / 20 / 3600
            print(f"step {step} | {rate:.2f} samples/s | loss {running:.4f} (l1 {parts['l1']:.4f} "
                  f"lap {parts['lap']:.4f} sim {parts['sim']:.4f}) | lr {lr_at(step, args.steps, args.lr):.2e} "
                  f"| ETA {eta:.2f} h", flush=True)
            window_t, window_n = time.time(), 0
        if step % args.eval_every == 0:
            model.head.eval()
            scores = evaluate_ecssd(model, args.data, args.size, args.eval_limit)
            model.head.train()
            score = (scores["auto_iou"] + scores["box_iou"] + scores["points_iou"]) / 3
            print(f"eval step {step} | " + " ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)
            with open(os.path.join(args.run, "eval.jsonl"), "a") as f:
                f.write(json.dumps({"step": step, **scores}) + "\n")
            if score > best:
                best = score
                save(os.path.join(args.run, "best.pt"), {"scores": scores})
                print(f"new best {best:.4f} -> best.pt", flush=True)
        if time.time() - last_ckpt > args.checkpoint_minutes * 60:
            save(last)
            last_ckpt = time.time()
    save(last)
    print(f"stopped at step {step}; checkpoint {last}", flush=True)


if __name__ == "__main__":
    main()
