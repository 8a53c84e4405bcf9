"""The loop every training stage shares (head and refiner): optimiser step on a schedule, progress
line, periodic evaluation with best.pt, checkpoints every few minutes and on SIGTERM/SIGINT, so any
run can be stopped and resumed with the same command."""
import argparse
import os
import signal
import time

import numpy as np
import torch

from .quick_eval import evaluate_and_log

WARMUP_STEPS = 200


def lr_at(step, total, base):
    """Linear warm-up, then cosine decay to zero at `total` steps."""
    if step < WARMUP_STEPS:
        return base * (step + 1) / WARMUP_STEPS
    return base * 0.5 * (1 + np.cos(np.pi * min(1.0, (step - WARMUP_STEPS) / max(1, total - WARMUP_STEPS))))


def training_argument_parser(doc: str, run: str, steps: int, eval_every: int, checkpoint_minutes: float = 5.0):
    """The options of the loop every stage runs on (TrainingLoop reads them); a stage adds its own."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", default=run, help="the run's folder: checkpoints, best.pt, logs")
    p.add_argument("--steps", type=int, default=steps, help="length of the cosine schedule, in steps")
    p.add_argument("--stop-after", type=int, default=None, help="stop this invocation after this many steps")
    p.add_argument("--hours", type=float, default=None, help="stop this invocation after this long")
    p.add_argument("--eval-every", type=int, default=eval_every)
    p.add_argument("--checkpoint-minutes", type=float, default=checkpoint_minutes)
    p.add_argument("--threads", type=int, default=2)
    return p


def prepare_run(args):
    """Thread count and run folder, before anything is built."""
    torch.set_num_threads(args.threads)
    os.makedirs(args.run, exist_ok=True)
    return args


class TrainingLoop:
    def __init__(
        self, args, model, opt, params, state_of, step=0, best=-1.0, samples_seen=0, evaluate=None, last=None, clip=1.0
    ):
        """`state_of()` returns the weights to checkpoint (a dict); `params` are the ones clipped to
        norm `clip` (None: not clipped). `evaluate(step)` returns (score, scores), higher is better;
        by default the quick score of the whole model (`quick_eval.py`). `last`: the checkpoint the
        same command resumes from (default <run>/last.pt)."""
        self.args, self.model, self.opt, self.params, self.state_of = args, model, opt, list(params), state_of
        self.step, self.best, self.samples_seen = step, best, samples_seen
        self.evaluate = evaluate or (lambda step: evaluate_and_log(self.model, args, step, self.samples_seen))
        self.last = last or os.path.join(args.run, "last.pt")
        self.clip = clip
        self.stop = False

    def save(self, path, extra=None):
        tmp = path + ".tmp"
        torch.save(
            {
                **self.state_of(),
                "opt": self.opt.state_dict(),
                "step": self.step,
                "best": self.best,
                "samples_seen": self.samples_seen,
                "args": vars(self.args),
                **(extra or {}),
            },
            tmp,
        )
        os.replace(tmp, path)

    def run(self, loss_at, describe=lambda: ""):
        """`loss_at(step)` builds a batch and returns (loss, parts, samples).

        Each parameter group follows the schedule from its own base rate ("base"), else from --lr."""
        args = self.args
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stop", True))
        signal.signal(signal.SIGINT, lambda *_: setattr(self, "stop", True))
        started = last_ckpt = window_t = time.time()
        window_n, running = 0, None
        first_step = self.step
        self.model.train()
        while self.step < args.steps and not self.stop:
            if args.hours and time.time() - started > args.hours * 3600:
                break
            if args.stop_after is not None and self.step - first_step >= args.stop_after:
                break
            for g in self.opt.param_groups:
                g["lr"] = lr_at(self.step, args.steps, g.get("base", args.lr))
            loss, parts, samples = loss_at(self.step)
            self.opt.zero_grad()
            loss.backward()
            if self.clip is not None:
                torch.nn.utils.clip_grad_norm_(self.params, self.clip)
            self.opt.step()
            self.step += 1
            window_n += samples
            self.samples_seen += samples
            running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
            if self.step % 20 == 0:
                rate = window_n / (time.time() - window_t)
                terms = " ".join(f"{k} {v:.4f}" for k, v in parts.items())
                print(f"step {self.step} | {rate:.2f} samples/s | loss {running:.4f} ({terms}){describe()}", flush=True)
                window_t, window_n = time.time(), 0
            if self.step % args.eval_every == 0:
                score, scores = self.evaluate(self.step)
                if score > self.best:
                    self.best = score
                    self.save(os.path.join(args.run, "best.pt"), {"scores": scores})
                    print(f"new best {self.best:.4f} -> best.pt", flush=True)
            if time.time() - last_ckpt > args.checkpoint_minutes * 60:
                self.save(self.last)
                last_ckpt = time.time()
        self.save(self.last)
        print(f"stopped at step {self.step} ({self.samples_seen} samples seen); checkpoint {self.last}", flush=True)
