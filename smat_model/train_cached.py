"""Train the head and the encoder's tail (last stage + neck) on the cached sample pool.

    python3 -m smat_model.train_cached --data ../shared/data --cache runs/cache512 --run runs/tail512 \\
        --init-from models/checkpoint/smat-train-state.pt

The frozen trunk's output comes from the cache (smat_model.feature_cache), so a step runs only the
tail and the head. Resumable from <run>/last.pt; keeps <run>/best.pt by the quick ECSSD score.
"""
import argparse
import json
import os
import signal
import time

import numpy as np
import torch

from .build import build_encoder
from .feature_cache import CachedPool
from .losses import smat_loss
from .quick_eval import evaluate_ecssd
from .smat import SMat, SMatHead
from .train import lr_at


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=os.environ.get("SMAT_DATA", "../shared/data"))
    p.add_argument("--cache", required=True)
    p.add_argument("--run", required=True)
    p.add_argument("--init-from", default=None, help="a train state (head, optionally encoder_tail) to start from")
    p.add_argument("--size", type=int, default=512)
    p.add_argument("--steps", type=int, default=20000, help="length of the cosine schedule, in steps")
    p.add_argument("--images-per-step", type=int, default=2)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--tail-lr", type=float, default=2e-5)
    p.add_argument("--eval-every", type=int, default=300)
    p.add_argument("--eval-limit", type=int, default=40)
    p.add_argument("--checkpoint-minutes", type=float, default=5.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    return p.parse_args(argv)


def tail_state(encoder):
    return {k: v for k, v in encoder.state_dict().items() if k.split(".")[0] in ("merge2", "stage3", "neck")}


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    encoder = build_encoder()
    tail_params = [p for m in encoder.tail_modules() for p in m.parameters()]
    for p in tail_params:
        p.requires_grad_(True)
    model = SMat(encoder, SMatHead())
    opt = torch.optim.AdamW([{"params": list(model.head.parameters()), "base": args.lr},
                             {"params": tail_params, "base": args.tail_lr, "weight_decay": 0.0}],
                            lr=args.lr, weight_decay=1e-4)
    step, best, samples_seen = 0, -1.0, 0
    last = os.path.join(args.run, "last.pt")
    start = last if os.path.exists(last) else args.init_from
    if start:
        state = torch.load(start, map_location="cpu")
        missing, unexpected = model.head.load_state_dict(state["head"], strict=False)
        if unexpected:
            raise ValueError(f"{start} has head weights this head lacks: {unexpected}")
        if "encoder_tail" in state:
            encoder.load_state_dict(state["encoder_tail"], strict=False)
        step, samples_seen = state.get("step", 0), state.get("samples_seen", 0)
        if start == last:
            opt.load_state_dict(state["opt"])
            best = state.get("best", -1.0)
        print(f"from {start} at step {step} ({samples_seen} samples seen); new head layers: {missing or 'none'}",
              flush=True)
    pool = CachedPool(args.cache)
    while pool.refresh() == 0:
        print("waiting for the first cache shard", flush=True)
        time.sleep(30)
    rng = np.random.default_rng(args.seed + step)

    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    signal.signal(signal.SIGINT, lambda *_: stop.update(now=True))

    def save(path, extra=None):
        tmp = path + ".tmp"
        torch.save({"head": model.head.state_dict(), "encoder_tail": tail_state(encoder), "opt": opt.state_dict(),
                    "step": step, "best": best, "samples_seen": samples_seen, "args": vars(args), **(extra or {})}, tmp)
        os.replace(tmp, path)

    last_ckpt = time.time()
    window_t, window_n, running = time.time(), 0, None
    model.train()
    while step < args.steps and not stop["now"]:
        image, trunk, alpha, masks, has = pool.batch(rng, args.images_per_step)
        k = masks.shape[1]
        index = torch.arange(len(image)).repeat_interleave(k)
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps, g["base"])
        feats = encoder.tail(trunk)
        pred, sim = model.head(feats[index], image[index], masks.reshape(-1, 1, *masks.shape[-2:]), has.reshape(-1))
        loss, parts = smat_loss(pred, sim, alpha[:, None][index])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(model.head.parameters()) + tail_params, 1.0)
        opt.step()
        step += 1
        window_n += len(index)
        samples_seen += len(index)
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 20 == 0:
            rate = window_n / (time.time() - window_t)
            print(f"step {step} | {rate:.2f} samples/s | pool {len(pool)} | loss {running:.4f} (l1 {parts['l1']:.4f} "
                  f"lap {parts['lap']:.4f} sim {parts['sim']:.4f})", flush=True)
            window_t, window_n = time.time(), 0
            pool.refresh()
        if step % args.eval_every == 0:
            model.eval()
            scores = evaluate_ecssd(model, args.data, args.size, args.eval_limit)
            model.train()
            score = (scores["auto_iou"] + scores["box_iou"] + scores["points_iou"]) / 3
            print(f"eval step {step} | " + " ".join(f"{k} {v:.4f}" for k, v in scores.items()), flush=True)
            with open(os.path.join(args.run, "eval.jsonl"), "a") as f:
                f.write(json.dumps({"step": step, "samples_seen": samples_seen, **scores}) + "\n")
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
